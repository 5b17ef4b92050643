package trace

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ingero.dev/bpf/blockio/blockiotest"
	"ingero.dev/bpf/standin/standintest"
	"ingero.dev/common/event"
	"ingero.dev/common/testenv"
)

// TestTraceRecordsBlockIO: trace records block IO host-wide, no CUDA
// process needed. The test's own O_DIRECT write (with fsync) and read are
// in the database under its PID, with exact byte counts on the file's
// device (blockiotest.File.Check). The kernel at times runs no probe for a
// completion (see bpf/blockio): the test does three rounds and wants one
// recorded whole.
func TestTraceRecordsBlockIO(t *testing.T) {
	standintest.RequireBPF(t)
	f := blockiotest.Open(t, 1<<20)
	db := filepath.Join(t.TempDir(), "io.db")
	tr := startTrace(t, "-d", db)
	tr.waitLine("ingero trace: watching", 20*time.Second)
	if strings.Contains(tr.stderr(), "no block_io_start tracepoint") {
		// Requests are charged to whoever dispatched them: the test's
		// threads cannot be told from a kblockd worker.
		tr.stop()
		testenv.Unavailable(t, "this kernel cannot charge block requests to their submitter")
	}
	type round struct{ w, r blockiotest.Span }
	var rounds []round
	for range 3 {
		rounds = append(rounds, round{f.WriteSync(t), f.Read(t)})
	}
	tr.stop()

	pid := uint32(os.Getpid())
	evs, rec := eventsOf(t, db, pid)
	var io []event.Event
	for _, e := range evs {
		if e.Source == event.SourceIO {
			io = append(io, e)
		}
	}
	whole := 0
	for i, r := range rounds {
		if err := f.Check(t, io, r.w, r.r); err != nil {
			t.Logf("round %d: %v", i+1, err)
		} else {
			whole++
		}
	}
	if whole == 0 {
		t.Errorf("no round of block IO was recorded whole (%d IO events of pid %d)", len(io), pid)
	}
	sessions, err := rec.Sessions()
	if err != nil || len(sessions) != 1 {
		t.Fatalf("sessions = %v, %v", sessions, err)
	}
	if s := sessions[0].Stats; s.UserDrops != 0 || s.Events == 0 {
		t.Errorf("session stats %+v", s)
	}
}
