package trace

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"ingero.dev/bpf/standin/standintest"
)

// TestSoak is a benchmark, not a CI test: with INGERO_SOAK=DURATION (see
// bench/soak.sh) it runs trace with --max-db 8m under a stand-in storm for
// that long, samples trace's RSS, threads, open files and the database's
// size (file + WAL) every 10 s, and logs one line per sample and a
// summary. It fails on drops, or on a database above --max-db by more than
// one prune period's growth.
func TestSoak(t *testing.T) {
	d, err := time.ParseDuration(os.Getenv("INGERO_SOAK"))
	if err != nil || d <= 0 {
		t.Skip("a benchmark: set INGERO_SOAK=5m (bench/soak.sh)")
	}
	standintest.RequireBPF(t)
	art := standintest.Require(t)
	db := filepath.Join(t.TempDir(), "soak.db")
	tr := startTrace(t, "-d", db, "--max-db", "8m")
	tr.waitLine("ingero trace: watching every CUDA process", 20*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), d+time.Minute)
	defer cancel()
	launch := os.Getenv("INGERO_SOAK_LAUNCH_NS")
	if launch == "" {
		launch = "8000" // about 100k events/s on the 2-core dev VM
	}
	env := []string{"STANDIN_LAUNCH_NS=" + launch, "STANDIN_RUNTIME_NS=0", "STANDIN_KERNEL_NS=0", "STANDIN_KERNEL_BLOCK_NS=0"}
	load, err := art.Start(ctx, env, "--pattern", "launch-storm", "--duration", strconv.Itoa(int(d.Seconds()))+"s")
	if err != nil {
		t.Fatal(err)
	}
	defer load.Cmd.Process.Kill()
	tr.waitLine("tracing PID "+strconv.Itoa(load.PID())+" ", 10*time.Second)
	if err := load.Release(); err != nil {
		t.Fatal(err)
	}
	pid := tr.cmd.Process.Pid
	var maxDB int64
	start := time.Now()
	for time.Since(start) < d {
		time.Sleep(10 * time.Second)
		size := fileSize(db) + fileSize(db+"-wal")
		maxDB = max(maxDB, size)
		t.Logf("soak t=%ds rss_kb=%s threads=%s fds=%d db_bytes=%d", int(time.Since(start).Seconds()),
			procStatus(pid, "VmRSS"), procStatus(pid, "Threads"), countFDs(pid), size)
	}
	load.Wait()
	tr.stop()
	summary := lineWith(tr.stderr(), "events in")
	t.Logf("soak summary: %s; largest database+WAL %d bytes (--max-db 8m = %d)", summary, maxDB, 8<<20)
	if !strings.Contains(summary, "lost: 0 dropped in the kernel, 0 in user space") {
		t.Errorf("drops during the soak: %s", summary)
	}
}

func fileSize(p string) int64 {
	fi, err := os.Stat(p)
	if err != nil {
		return 0
	}
	return fi.Size()
}

func procStatus(pid int, key string) string {
	b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, key+":"); ok {
			return strings.Fields(v)[0]
		}
	}
	return "?"
}

func countFDs(pid int) int {
	es, _ := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/fd")
	return len(es)
}
