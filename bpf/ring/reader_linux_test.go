package ring

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"ingero.dev/bpf/internal/testenv"
	"ingero.dev/bpf/sysreq"
	"ingero.dev/common/event"
)

// producer is a ring buffer and a program that writes one 8-byte record
// (its counter) per run, with the given submit flags.
type producer struct {
	ring *ebpf.Map
	prog *ebpf.Program
	seq  uint64
}

const (
	flagNoWakeup = 1 // BPF_RB_NO_WAKEUP
	// recordSize is a CUDA record's size, so that throughput is realistic.
	recordSize = 96
)

func newProducer(t testing.TB, size int, flags int32) *producer {
	t.Helper()
	testenv.RequireBPF(t)
	if err := sysreq.Prepare(); err != nil {
		t.Fatal(err)
	}
	m, err := ebpf.NewMap(&ebpf.MapSpec{Type: ebpf.RingBuf, MaxEntries: uint32(size)})
	if err != nil {
		t.Fatal(err)
	}
	// The record is recordSize bytes led by the 8 bytes that follow the
	// Ethernet header of the packet BPF_PROG_TEST_RUN passes in.
	insns := asm.Instructions{asm.Mov.Reg(asm.R6, asm.R1)}
	for off := int16(-recordSize); off < 0; off += 4 {
		insns = append(insns, asm.StoreImm(asm.RFP, off, 0, asm.Word))
	}
	insns = append(insns,
		asm.Mov.Reg(asm.R1, asm.R6),
		asm.Mov.Imm(asm.R2, 0),
		asm.Mov.Reg(asm.R3, asm.RFP),
		asm.Add.Imm(asm.R3, -recordSize),
		asm.Mov.Imm(asm.R4, 8),
		asm.FnSkbLoadBytes.Call(),
		asm.LoadMapPtr(asm.R1, m.FD()),
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, -recordSize),
		asm.Mov.Imm(asm.R3, recordSize),
		asm.Mov.Imm(asm.R4, flags),
		asm.FnRingbufOutput.Call(),
		asm.Mov.Imm(asm.R0, 0),
		asm.Return(),
	)
	prog, err := ebpf.NewProgram(&ebpf.ProgramSpec{Type: ebpf.SocketFilter, License: "MIT", Instructions: insns})
	if err != nil {
		m.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { prog.Close(); m.Close() })
	return &producer{ring: m, prog: prog}
}

// emit runs the program repeat times, each writing the next counter.
func (p *producer) emit(t testing.TB, repeat int) {
	t.Helper()
	for range repeat {
		p.seq++
		var in [22]byte // an Ethernet header, which the kernel pulls, then the counter
		binary.LittleEndian.PutUint64(in[14:], p.seq)
		if _, err := p.prog.Run(&ebpf.RunOptions{Data: in[:]}); err != nil {
			t.Fatal(err)
		}
	}
}

func decodeSeq(raw []byte, ev *event.Event) bool {
	if len(raw) < 8 {
		return false
	}
	ev.Args[0] = binary.LittleEndian.Uint64(raw)
	return true
}

// TestNoWakeupRecordsArriveByDeadline: records submitted without a wake-up
// still reach the sink, through the reader's poll deadline.
func TestNoWakeupRecordsArriveByDeadline(t *testing.T) {
	p := newProducer(t, 1<<16, flagNoWakeup)
	r, err := NewReader(p.ring, decodeSeq, Options{Poll: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan uint64, 100)
	done := make(chan error)
	go func() {
		done <- r.Run(func(b []event.Event) {
			for _, e := range b {
				got <- e.Args[0]
			}
		})
	}()
	p.emit(t, 3)
	for want := uint64(1); want <= 3; want++ {
		select {
		case seq := <-got:
			if seq != want {
				t.Fatalf("record %d arrived as %d", want, seq)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("record %d never arrived without a wake-up", want)
		}
	}
	if err := r.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	r.Close()
}

// TestFlushDeliversEverything: Flush makes Run deliver all that is in the
// ring, in order, and return; nothing is counted as lost.
func TestFlushDeliversEverything(t *testing.T) {
	p := newProducer(t, 1<<20, flagNoWakeup)
	p.emit(t, 5000)
	r, err := NewReader(p.ring, decodeSeq, Options{BatchSize: 64, Poll: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var seen []uint64
	if err := r.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := r.Run(func(b []event.Event) {
		if len(b) > 64 {
			t.Errorf("batch of %d, above BatchSize", len(b))
		}
		for _, e := range b {
			seen = append(seen, e.Args[0])
		}
	}); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 5000 {
		t.Fatalf("%d of 5000 records delivered", len(seen))
	}
	for i, s := range seen {
		if s != uint64(i+1) {
			t.Fatalf("record %d is %d", i+1, s)
		}
	}
	if s := r.Stats(); s.Records != 5000 || s.Events != 5000 || s.Undecodable != 0 {
		t.Errorf("stats %+v", s)
	}
}

// BenchmarkDrain measures how fast a reader empties a ring full of
// CUDA-sized records into batches: the user-space side of the pipeline's
// throughput (the decoder's own cost is BenchmarkDecode in package cuda).
func BenchmarkDrain(b *testing.B) {
	const perFill = 100_000 // 10.4 MB of records with headers
	p := newProducer(b, 16<<20, flagNoWakeup)
	in := make([]byte, 22)
	var total uint64
	var busy time.Duration
	for b.Loop() {
		b.StopTimer()
		if _, err := p.prog.Run(&ebpf.RunOptions{Data: in, Repeat: perFill}); err != nil {
			b.Fatal(err)
		}
		r, err := NewReader(p.ring, decodeSeq, Options{})
		if err != nil {
			b.Fatal(err)
		}
		r.Flush()
		b.StartTimer()
		start := time.Now()
		n := uint64(0)
		if err := r.Run(func(batch []event.Event) { n += uint64(len(batch)) }); err != nil {
			b.Fatal(err)
		}
		busy += time.Since(start)
		r.Close()
		if n != perFill {
			b.Fatalf("drained %d of %d", n, perFill)
		}
		total += n
	}
	b.ReportMetric(float64(total)/busy.Seconds(), "records/s")
}
