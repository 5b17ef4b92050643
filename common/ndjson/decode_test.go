package ndjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"testing"

	"ingero.dev/common/event"
)

func TestGoldenRoundTrip(t *testing.T) {
	evs := goldenEvents()
	lines := bytes.Split(bytes.TrimSuffix(encodeAll(t, evs), []byte("\n")), []byte("\n"))
	for i, line := range lines {
		got, err := Decode(line)
		if err != nil {
			t.Fatalf("line %d: %v\n%s", i, err, line)
		}
		if got != evs[i] {
			t.Errorf("line %d round trip:\n got %+v\nwant %+v", i, got, evs[i])
		}
	}
}

func randomEvent(r *rand.Rand) event.Event {
	ops := event.Ops()
	oi := ops[r.IntN(len(ops))]
	src, op := oi.Source, oi.Op
	if r.IntN(20) == 0 { // ids from a newer writer
		src, op = event.Source(1+r.IntN(20)), event.Op(100+r.IntN(150))
	}
	str := func() string {
		b := make([]byte, r.IntN(16))
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		if r.IntN(2) == 0 {
			return "proc-" + string(rune(0x4e00+r.IntN(100))) + "é"
		}
		return string(b)
	}
	arg := func() uint64 {
		switch r.IntN(4) {
		case 0:
			return 0
		case 1:
			return uint64(r.IntN(6))
		case 2:
			return r.Uint64()
		}
		return r.Uint64N(1 << 40)
	}
	ev := event.Event{
		TimeNs: r.Int64() >> r.IntN(3), PID: r.Uint32(), TID: r.Uint32(), Comm: str(),
		Source: src, Op: op, DurNs: r.Int64N(1e12) - 1000, Args: [4]uint64{arg(), arg(), arg(), arg()},
		Ret: r.Int32() - 1<<30, Node: str(), GPU: int32(r.IntN(9)) - 1,
	}
	if r.IntN(2) == 0 {
		ev.StackID, ev.CgroupID = r.Uint64(), r.Uint64()
	}
	if r.IntN(2) == 0 {
		ev.PeerPID, ev.PeerComm = r.Uint32(), str()
	}
	return ev
}

func TestRandomRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	enc := NewEncoder(nil)
	var line []byte
	for range 20_000 {
		ev := randomEvent(r)
		line = enc.Append(line[:0], &ev)
		if !json.Valid(line) {
			t.Fatalf("invalid JSON for %+v:\n%s", ev, line)
		}
		got, err := Decode(line)
		if err != nil {
			t.Fatalf("%v\n%s", err, line)
		}
		if got != ev {
			t.Fatalf("round trip:\n got %+v\nwant %+v\n%s", got, ev, line)
		}
	}
}

func TestDecodeRejects(t *testing.T) {
	cases := map[string]string{
		"not json":      `{"timestamp":`,
		"missing op":    `{"timestamp":"2026-05-24T15:41:20Z","pid":1,"tid":1,"source":"cuda"}`,
		"bad time":      `{"timestamp":"yesterday","pid":1,"tid":1,"source":"cuda","op":"cudaMalloc"}`,
		"year 9999":     `{"timestamp":"9999-01-01T00:00:00Z","pid":1,"tid":1,"source":"cuda","op":"cudaMalloc"}`,
		"bad source":    `{"timestamp":"2026-05-24T15:41:20Z","pid":1,"tid":1,"source":"gpu","op":"cudaMalloc"}`,
		"op of other":   `{"timestamp":"2026-05-24T15:41:20Z","pid":1,"tid":1,"source":"host","op":"cudaMalloc"}`,
		"bad kind":      `{"timestamp":"2026-05-24T15:41:20Z","pid":1,"tid":1,"source":"cuda","op":"cudaMemcpy","args":{"kind":"X2Y"}}`,
		"slot twice":    `{"timestamp":"2026-05-24T15:41:20Z","pid":1,"tid":1,"source":"cuda","op":"cudaMalloc","args":{"size":1,"arg0":2}}`,
		"bad ptr":       `{"timestamp":"2026-05-24T15:41:20Z","pid":1,"tid":1,"source":"cuda","op":"cudaMalloc","args":{"ptr":"12"}}`,
		"bad stack":     `{"timestamp":"2026-05-24T15:41:20Z","pid":1,"tid":1,"source":"cuda","op":"cudaMalloc","stack_id":"zz"}`,
		"comm not str":  `{"timestamp":"2026-05-24T15:41:20Z","pid":1,"tid":1,"source":"cuda","op":"cudaMalloc","process_name":5}`,
		"negative size": `{"timestamp":"2026-05-24T15:41:20Z","pid":1,"tid":1,"source":"cuda","op":"cudaMalloc","args":{"size":-1}}`,
	}
	for name, in := range cases {
		if _, err := Decode([]byte(in)); !errors.Is(err, ErrFormat) {
			t.Errorf("%s: err = %v, want ErrFormat", name, err)
		}
	}
}

func TestDecodeToleratesNewFieldsAndOtherWriters(t *testing.T) {
	in := `{"timestamp":"2026-05-24T17:41:20.5+02:00","pid":1,"tid":2,"source":"cuda","op":"cudaStreamSync",` +
		`"process_name":"a\u00e9\ud83d\ude00\/","args":{"stream":"0x10","future":1},"gpu":-1,"new_field":[1,2]}`
	ev, err := Decode([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if ev.Op != event.CudaStreamSynchronize || ev.Args[0] != 0x10 || ev.GPU != -1 || ev.TimeNs != t0+5e8 {
		t.Errorf("decoded %+v", ev)
	}
	// \u00e9 is an escaped byte in this format, the emoji a real pair.
	if ev.Comm != "a\xe9\U0001F600/" {
		t.Errorf("comm = %q", ev.Comm)
	}
}

func FuzzDecode(f *testing.F) {
	for _, line := range bytes.Split(encodeAll(f, goldenEvents()), []byte("\n")) {
		f.Add(line)
	}
	f.Add([]byte(`{"timestamp":"2026-05-24T15:41:20Z","pid":1,"tid":1,"source":"tcp","op":"tcp_retransmit","args":{"sport":1,"dport":2},"process_name":"\ud800x"}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		ev, err := Decode(line)
		if err != nil {
			return
		}
		// Whatever decodes re-encodes to a line that decodes to the same event.
		again := NewEncoder(nil).Append(nil, &ev)
		back, err := Decode(again)
		if err != nil {
			t.Fatalf("re-decode: %v\n%s", err, again)
		}
		if back != ev {
			t.Fatalf("unstable:\n%+v\n%+v", ev, back)
		}
	})
}
