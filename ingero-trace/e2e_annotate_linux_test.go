package trace

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ingero.dev/bpf/standin/standintest"
	"ingero.dev/common/recording"
)

// A traced workload annotates its steps over trace's socket: every step
// and request span is recorded with the kernel's word on its sender, and
// explain ranks the requests with the events inside them.
func TestTraceRecordsAnnotationsFromTheWorkload(t *testing.T) {
	standintest.RequireBPF(t)
	art := standintest.Require(t)
	dir := t.TempDir()
	db, sock := filepath.Join(dir, "t.db"), filepath.Join(dir, "a.sock")
	tr := startTrace(t, "-d", db, "--annotate-socket", sock)
	tr.waitLine("ingero trace: watching every CUDA process", 20*time.Second)
	counts := runTraced(t, tr, art, []string{"INGERO_ANNOTATE_SOCKET=" + sock, "STANDIN_ANNOTATE_SPANS=1"},
		"--pattern", "basic", "--iterations", "10")
	tr.stop()
	pid := uint32(counts.PID)
	if !strings.Contains(tr.stderr(), "ingero trace: 20 annotations from 1 connections; 0 dropped") {
		t.Errorf("exit summary lacks the annotation count:\n%s", tr.stderr())
	}
	rec, err := recording.OpenFile(db)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Close()
	anns, err := rec.Annotations(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	steps, spans := map[string]bool{}, map[string]bool{}
	for _, a := range anns {
		if a.Sender == nil || a.Sender.PID != pid || a.Sender.UID != 0 || a.Sender.StartTicks == 0 || a.PID != pid {
			t.Errorf("annotation %+v sender %+v: want the workload %d", a, a.Sender, pid)
		}
		if a.SpanEnd != 0 {
			spans[a.Labels["request_id"]] = a.SpanEnd >= a.SpanStart
		} else {
			steps[a.Labels["step"]] = true
		}
	}
	for i := range 10 {
		if !steps[fmt.Sprint(i)] || !spans[fmt.Sprintf("req-%d", i)] {
			t.Errorf("step %d: point %v, span %v", i, steps[fmt.Sprint(i)], spans[fmt.Sprintf("req-%d", i)])
		}
	}
	out := explain(t, "-d", db, "--by-request", "--since", "1h")
	if n := strings.Count(out, fmt.Sprintf("pid=%d sender_pid=%d sender_uid=0", pid, pid)); n != 10 {
		t.Errorf("explain --by-request lists %d requests of the workload, want 10:\n%s", n, out)
	}
	if strings.Contains(out, " events=0 ") {
		t.Errorf("a request span holds no events:\n%s", out)
	}
}
