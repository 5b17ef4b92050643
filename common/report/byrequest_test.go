package report_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"ingero.dev/common/event"
	"ingero.dev/common/recording"
	"ingero.dev/common/recording/recordingtest"
	"ingero.dev/common/report"
	"ingero.dev/common/source"
)

var b0 = time.Date(2026, 5, 24, 15, 40, 0, 0, time.UTC).UnixNano()

func ms(n int64) int64 { return b0 + n*int64(time.Millisecond) }

// Two requests of PID 10 overlap (continuous batching): a kernel in both
// counts in both. A span of PID 20 sees only PID 20's events; nested
// runtime and driver calls add their time once.
func byRequestFixture() recordingtest.Recording {
	ev := func(t int64, pid uint32, src event.Source, op event.Op, dur int64) event.Event {
		return event.Event{TimeNs: t, PID: pid, TID: pid, Comm: "srv", Source: src, Op: op, DurNs: dur, GPU: -1}
	}
	evs := []event.Event{
		ev(ms(5), 10, event.SourceCUDA, event.CudaMemcpy, 4*int64(time.Millisecond)),         // in a only
		ev(ms(6), 10, event.SourceDriver, event.CuMemcpyDtoH, 2*int64(time.Millisecond)),     // nested in the cudaMemcpy
		ev(ms(30), 10, event.SourceDriver, event.CuLaunchKernel, int64(time.Millisecond)),    // in a and b
		ev(ms(31), 10, event.SourceHost, event.SchedSwitch, 0),                               // in a and b, not GPU
		ev(ms(32), 20, event.SourceDriver, event.CuLaunchKernel, int64(time.Millisecond)),    // c only
		ev(ms(90), 10, event.SourceDriver, event.CuLaunchKernel, 20*int64(time.Millisecond)), // b, clipped at its end
	}
	sender := &event.Sender{PID: 10, UID: 1000, GID: 1000, StartTicks: 77}
	anns := []event.Annotation{
		{TimeNs: ms(0), PID: 10, SpanStart: ms(0), SpanEnd: ms(40), Labels: map[string]string{"request_id": "a"}, Sender: sender},
		{TimeNs: ms(20), PID: 10, SpanStart: ms(20), SpanEnd: ms(100), Labels: map[string]string{"request_id": "b"}, Sender: sender},
		{TimeNs: ms(25), PID: 20, SpanStart: ms(25), SpanEnd: ms(35), Labels: map[string]string{"request_id": "c"}},
		{TimeNs: ms(50), PID: 10, SpanStart: ms(50), Labels: map[string]string{"request_id": "open"}},
		{TimeNs: ms(1), PID: 10, Labels: map[string]string{"step": "1"}},
	}
	return recordingtest.Recording{Events: evs, Annotations: anns}
}

func TestByRequest(t *testing.T) {
	rec, err := recording.OpenSource(recordingtest.WriteDB(t, byRequestFixture()))
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Close()
	br, err := report.NewByRequest(context.Background(), rec.Source, source.Filter{ToNs: ms(1000)})
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		id             string
		dur, ev, gpuMs int64
	}
	var got []row
	for _, r := range br.Requests {
		got = append(got, row{r.RequestID, r.DurationNs / 1e6, r.Events, r.GPUAPINs / 1e6})
	}
	want := []row{{"b", 80, 3, 11}, {"a", 40, 4, 5}, {"c", 10, 1, 1}}
	if len(got) != len(want) {
		t.Fatalf("requests %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	if br.OpenSpans != 1 {
		t.Errorf("open spans %d", br.OpenSpans)
	}
	if s := br.Requests[0].Sender; s == nil || s.UID != 1000 || br.Requests[2].Sender != nil {
		t.Errorf("senders %+v %+v", s, br.Requests[2].Sender)
	}
	var buf bytes.Buffer
	if err := report.WriteByRequestText(&buf, br); err != nil {
		t.Fatal(err)
	}
	text := buf.String()
	for _, line := range []string{
		"Note: " + report.NoteOverlap,
		"Note: " + report.NoteTrust,
		"request_id=b duration=80.000ms events=3 gpu_api=11.000ms pid=10 sender_pid=10 sender_uid=1000\n",
		"request_id=c duration=10.000ms events=1 gpu_api=1.000ms pid=20\n",
		"1 request spans still open are not ranked.",
	} {
		if !strings.Contains(text, line) {
			t.Errorf("text lacks %q:\n%s", line, text)
		}
	}
	// --pid 20 keeps its span only.
	br, err = report.NewByRequest(context.Background(), rec.Source, source.Filter{ToNs: ms(1000), PIDs: []uint32{20}})
	if err != nil {
		t.Fatal(err)
	}
	if len(br.Requests) != 1 || br.Requests[0].RequestID != "c" || br.Requests[0].Events != 1 {
		t.Errorf("--pid 20: %+v", br.Requests)
	}
}
