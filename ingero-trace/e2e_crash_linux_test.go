package trace

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"ingero.dev/bpf/standin"
	"ingero.dev/bpf/standin/standintest"
	"ingero.dev/common/event"
	"ingero.dev/common/recording"
	"ingero.dev/common/store"
	"ingero.dev/common/testenv"
)

// crashRuns is how many kill -9 rounds TestKill9KeepsTheRecording runs:
// two in CI, the twenty of docs/reliability.md through bench/crash.sh.
func crashRuns(t *testing.T) int {
	s := os.Getenv("INGERO_CRASH_RUNS")
	if s == "" {
		return 2
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		t.Fatalf("INGERO_CRASH_RUNS=%q: want a positive count", s)
	}
	return n
}

// TestKill9KeepsTheRecording kills trace with SIGKILL in the middle of a
// launch storm, and checks what a user finds afterwards: the database
// passes PRAGMA integrity_check, explain reads it, a short run that ended
// a second before the kill is there call for call (in the database and
// the stream), and the newest recorded event is at most a second older
// than the kill.
func TestKill9KeepsTheRecording(t *testing.T) {
	standintest.RequireBPF(t)
	art := standintest.Require(t)
	sqlite := testenv.RequireTool(t, "sqlite3", "sqlite3")
	for i := range crashRuns(t) {
		// A subtest each: startTrace's host-wide lock is held until the
		// test that took it ends.
		t.Run("kill"+strconv.Itoa(i+1), func(t *testing.T) {
			r := killOnce(t, art, sqlite)
			// One line per kill, in the shape bench/crash.sh tabulates.
			t.Logf("crash %d: rate=%.0f/s db_lag_ms=%d stream_lag_ms=%d db_lost~%.0f stream_lost~%.0f db_events=%d stream_events=%d",
				i+1, r.rate, r.dbLag.Milliseconds(), r.streamLag.Milliseconds(),
				r.rate*r.dbLag.Seconds(), r.rate*r.streamLag.Seconds(), r.dbEvents, r.streamEvents)
		})
	}
}

type crashResult struct {
	rate                   float64
	dbLag, streamLag       time.Duration
	dbEvents, streamEvents int
}

func killOnce(t *testing.T, art *standin.Artifacts, sqlite string) crashResult {
	t.Helper()
	dir := t.TempDir()
	db, streamFile := filepath.Join(dir, "k.db"), filepath.Join(dir, "k.stream")
	tr := startTrace(t, "-d", db, "--stream", streamFile)
	tr.waitLine("ingero trace: watching every CUDA process", 20*time.Second)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// Calls that cost nothing but their probes: the load is as fast as
	// tracing lets it be (about 200k events/s on the 2-core dev VM).
	free := []string{"STANDIN_LAUNCH_NS=" + launchNs(), "STANDIN_RUNTIME_NS=0", "STANDIN_KERNEL_NS=0", "STANDIN_KERNEL_BLOCK_NS=0"}
	load, err := art.Start(ctx, free, "--pattern", "launch-storm", "--duration", "60s")
	if err != nil {
		t.Fatal(err)
	}
	defer load.Cmd.Process.Kill()
	tr.waitLine("tracing PID "+strconv.Itoa(load.PID())+" ", 10*time.Second)
	if err := load.Release(); err != nil {
		t.Fatal(err)
	}
	// A short run, finished well before the kill: every one of its calls
	// must survive it.
	marker := runTraced(t, tr, art, nil, "--pattern", "basic", "--iterations", "10")
	time.Sleep(1500 * time.Millisecond)
	killNs := time.Now().UnixNano()
	if err := tr.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-tr.done
	tr.cmd.Wait()
	load.Cmd.Process.Signal(syscall.SIGTERM)
	load.Wait()

	// explain first, on the files exactly as the kill left them (a hot
	// WAL beside the database), as a user would.
	if out := explain(t, "-d", db); !strings.Contains(out, "event") {
		t.Errorf("explain after kill -9 printed:\n%s", out)
	}
	out, err := exec.Command(sqlite, db, "PRAGMA integrity_check").CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "ok" {
		t.Fatalf("PRAGMA integrity_check after kill -9: %v: %s", err, out)
	}
	var r crashResult
	load32 := uint32(load.PID())
	for _, f := range []struct {
		path   string
		lag    *time.Duration
		events *int
	}{{db, &r.dbLag, &r.dbEvents}, {streamFile, &r.streamLag, &r.streamEvents}} {
		evs := allEvents(t, f.path)
		assertSameCounts(t, filepath.Base(f.path)+" after kill -9", wantCounts(marker), gotCounts(ofPID(evs, uint32(marker.PID))))
		last, lastSecond := newest(ofPID(evs, load32))
		if lastSecond == 0 {
			t.Fatalf("%s: no event of the load", f.path)
		}
		*f.lag, *f.events = time.Duration(killNs-last), len(evs)
		if f.path == db {
			r.rate = float64(lastSecond)
		}
		if *f.lag > time.Second {
			t.Errorf("%s: newest event %v before the kill: more than the last second lost", f.path, *f.lag)
		}
	}
	return r
}

func ofPID(evs []event.Event, pid uint32) []event.Event {
	var out []event.Event
	for _, e := range evs {
		if e.PID == pid {
			out = append(out, e)
		}
	}
	return out
}

// newest returns the newest event's time and how many events fall in the
// second before it: the load's rate when the kill came.
func newest(evs []event.Event) (last int64, lastSecond int) {
	for _, e := range evs {
		last = max(last, e.TimeNs)
	}
	for _, e := range evs {
		if e.TimeNs > last-int64(time.Second) {
			lastSecond++
		}
	}
	return last, lastSecond
}

// allEvents reads every event of a recording, database or stream.
func allEvents(t *testing.T, path string) []event.Event {
	t.Helper()
	rec, err := recording.OpenFile(path)
	if err != nil {
		t.Fatalf("opening %s after kill -9: %v", path, err)
	}
	defer rec.Close()
	var evs []event.Event
	if err := rec.Events(context.Background(), store.Filter{}, func(e *event.Event) error {
		evs = append(evs, *e)
		return nil
	}); err != nil {
		t.Fatalf("reading %s after kill -9: %v", path, err)
	}
	return evs
}

// launchNs is the stand-in launch's cost: INGERO_CRASH_LAUNCH_NS, by
// default one that makes the storm about 200k events/s on the dev VM.
func launchNs() string {
	if s := os.Getenv("INGERO_CRASH_LAUNCH_NS"); s != "" {
		return s
	}
	return "3000"
}
