package stream_test

import (
	"bytes"
	"fmt"

	"ingero.dev/common/event"
	"ingero.dev/common/stream"
)

// A stream is a header, frames of one record kind each, and a trailer; a
// reader gets the frames back in order, and the session from header and
// trailer. docs/stream-format.md specifies the bytes.
func Example() {
	var file bytes.Buffer
	w, err := stream.NewWriter(&file, stream.Header{SessionID: "gpu-node-07:1", Node: "gpu-node-07", StartNs: 1_779_637_200_000_000_000})
	if err != nil {
		panic(err)
	}
	w.WriteEvents([]event.Event{
		{TimeNs: 1_779_637_200_000_123_456, PID: 4821, TID: 4821, Comm: "python3", Source: event.SourceCUDA, Op: event.CudaMalloc, DurNs: 21000, Args: [4]uint64{1 << 20}},
		{TimeNs: 1_779_637_201_000_000_000, PID: 4821, TID: 4821, Comm: "python3", Source: event.SourceHost, Op: event.SchedSwitch, DurNs: 142_000_000, PeerPID: 8821, PeerComm: "logrotate"},
	})
	w.WriteProcessNames([]event.ProcessName{{Node: "gpu-node-07", PID: 4821, Comm: "python3", Cmdline: "python3 train.py"}})
	if err := w.Close(event.SessionStats{Events: 2}, 1_779_637_260_000_000_000); err != nil {
		panic(err)
	}

	r, err := stream.NewReader(&file)
	if err != nil {
		panic(err)
	}
	for f, err := range r.Frames() {
		if err != nil {
			panic(err)
		}
		switch f.Kind {
		case stream.KindEvents:
			for _, ev := range f.Events {
				fmt.Printf("event  %s pid %d %s %dns\n", ev.Source, ev.PID, ev.OpName(), ev.DurNs)
			}
		case stream.KindProcesses:
			fmt.Printf("names  %d %q\n", f.Processes[0].PID, f.Processes[0].Cmdline)
		case stream.KindTrailer:
			fmt.Printf("end    %d events\n", f.Trailer.Stats.Events)
		}
	}
	s := r.Session()
	fmt.Println("session", s.ID, "complete:", s.StopNs != 0)
	// Output:
	// event  cuda pid 4821 cudaMalloc 21000ns
	// event  host pid 4821 sched_switch 142000000ns
	// names  4821 "python3 train.py"
	// end    2 events
	// session gpu-node-07:1 complete: true
}

// A reader of a stream cut off by a crash gets every frame written before
// the cut; Trailer reports that the end is missing.
func ExampleReader_Trailer() {
	var file bytes.Buffer
	w, _ := stream.NewWriter(&file, stream.Header{SessionID: "n:1"})
	w.WriteEvents([]event.Event{{TimeNs: 1, PID: 1, Source: event.SourceCUDA, Op: event.CudaFree}})
	unclosed := file.Bytes() // the writer died before Close

	r, _ := stream.NewReader(bytes.NewReader(unclosed))
	n := 0
	for ev, err := range r.Events() {
		if err == nil {
			n++
			_ = ev
		}
	}
	_, complete := r.Trailer()
	fmt.Println(n, "event read; complete:", complete)
	// Output:
	// 1 event read; complete: false
}
