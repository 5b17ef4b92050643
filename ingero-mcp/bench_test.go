package mcp

import (
	"context"
	"fmt"
	"ingero.dev/common/cli/clitest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"ingero.dev/common/event"
	"ingero.dev/common/store"
	"ingero.dev/common/stream"
)

// rssLimit is the bound on one tool call over a 10M-event
// recording: the server's peak resident memory, start to finish.
const rssLimit = 200 << 20

// bigRecording writes n events of a training loop (launch, copy, sync, a
// preemption now and then, a co-tenant) in batches, so that writing it
// takes memory for one batch only.
func bigRecording(b *testing.B, n int) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), "big.db")
	w, err := store.OpenWriter(path, store.Options{FlushInterval: -1})
	if err != nil {
		b.Fatal(err)
	}
	if err := trainingLoop(n, w.Append); err != nil {
		b.Fatal(err)
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	return path
}

// bigStream is bigRecording as a stream file.
func bigStream(b *testing.B, n int) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), "big.stream")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	w, err := stream.NewWriter(f, stream.Header{})
	if err != nil {
		b.Fatal(err)
	}
	if err := trainingLoop(n, w.WriteEvents); err != nil {
		b.Fatal(err)
	}
	if err := w.Close(event.SessionStats{Events: uint64(n)}, t0.UnixNano()+int64(n)*50_000); err != nil {
		b.Fatal(err)
	}
	return path
}

func trainingLoop(n int, write func([]event.Event) error) error {
	base := t0.UnixNano()
	batch := make([]event.Event, 0, 65536)
	for i := range n {
		ns := base + int64(i)*50_000 // 20k events/s: 10M events are 8 minutes
		ev := event.Event{TimeNs: ns, PID: 4821, TID: 4821, Comm: "python3", Node: "gpu-node-07"}
		switch i % 4 {
		case 0:
			ev.Source, ev.Op, ev.DurNs = event.SourceDriver, event.CuLaunchKernel, 4800+int64(i%7)*100
		case 1:
			ev.Source, ev.Op, ev.DurNs = event.SourceCUDA, event.CudaMemcpyAsync, 40_000+int64(i%13)*1000
			ev.Args = [4]uint64{4 << 20, 1, 0x55d0c0ffee00}
		case 2:
			ev.Source, ev.Op, ev.DurNs = event.SourceCUDA, event.CudaStreamSynchronize, 1_300_000+int64(i%11)*10_000
			if i%400 == 2 {
				ev.DurNs = 9_000_000
			}
		case 3:
			if i%400 == 1 {
				ev.Source, ev.Op, ev.DurNs = event.SourceHost, event.SchedSwitch, 8_000_000
				ev.Args = [4]uint64{3, 1}
				ev.PeerPID, ev.PeerComm = 8821, "logrotate"
			} else {
				ev.PID, ev.TID, ev.Comm = 5032, 5032, "embedding-svc"
				ev.Source, ev.Op, ev.DurNs = event.SourceDriver, event.CuLaunchKernel, 5100
			}
		}
		batch = append(batch, ev)
		if len(batch) == cap(batch) {
			if err := write(batch); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	return write(batch)
}

// BenchmarkToolRSS10M runs the shipped binary over a 10M-event recording,
// one process per tool call, and reports each process's peak RSS: VmHWM,
// read just before the client hangs up. (ru_maxrss would not do: Go
// starts children with a vfork-style clone, so the child's count starts
// with this test binary's own pages.)
//
//	go test ./ingero-mcp -run '^$' -bench ToolRSS10M -benchtime 1x
func BenchmarkToolRSS10M(b *testing.B) {
	bin := filepath.Join(binaries(b), "ingero-mcp")
	db := bigRecording(b, 10_000_000)
	for _, tc := range []struct {
		tool string
		args map[string]any
		file string // "stream": the same events as a stream file
	}{
		{"get_trace_stats", nil, ""},
		{"get_causal_chains", nil, ""},
		{"get_per_process", nil, ""},
		// The last minute, as an agent drills down: a scan of all 10M
		// rows through the events table takes 20-30 s on this VM under
		// load, against run_sql's 30 s limit.
		{"run_sql", map[string]any{"query": "SELECT op_name, count(*), avg(duration_ns) FROM events WHERE timestamp >= (SELECT max(t_max) FROM event_chunks) - 60e9 GROUP BY op_name"}, ""},
		{"run_sql_chunk_ops", map[string]any{"query": "SELECT pid, op, sum(count), sum(dur_sum) FROM chunk_ops GROUP BY pid, op"}, ""},
		{"get_stacks", nil, ""},
		// A stream file is loaded once into a temporary database when the
		// server starts; that load is inside this call's peak too.
		{"get_trace_stats", nil, "stream"},
	} {
		name, file := tc.tool, db
		if tc.file == "stream" {
			name, file = "stream/"+tc.tool, bigStream(b, 10_000_000)
		}
		b.Run(name, func(b *testing.B) {
			tool, _, _ := strings.Cut(tc.tool, "_chunk_ops")
			for range b.N {
				rss, elapsed := oneCall(b, bin, file, tool, tc.args)
				b.ReportMetric(float64(rss)/(1<<20), "MB-peak-RSS")
				b.ReportMetric(elapsed.Seconds(), "s-call")
				if rss > rssLimit {
					b.Errorf("%s over 10M events: peak RSS %d MB, over the %d MB bound", tc.tool, rss>>20, rssLimit>>20)
				}
			}
		})
	}
}

func oneCall(b *testing.B, bin, db, tool string, args map[string]any) (rss int64, elapsed time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.Command(bin, "-d", db)
	cmd.Env = os.Environ()
	client := mcp.NewClient(&mcp.Implementation{Name: "bench", Version: "1"}, nil)
	cs, err := client.Connect(ctx, &mcp.CommandTransport{Command: cmd}, nil)
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: tool, Arguments: args})
	elapsed = time.Since(start)
	if err != nil || res.IsError {
		b.Fatalf("%s: %v %v", tool, err, res)
	}
	hwm, err := clitest.VmHWM(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid))
	if err != nil {
		b.Fatal(err)
	}
	if err := cs.Close(); err != nil {
		b.Logf("close: %v", err)
	}
	return hwm, elapsed
}
