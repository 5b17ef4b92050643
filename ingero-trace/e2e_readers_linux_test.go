package trace

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"ingero.dev/bpf/standin/standintest"
)

// TestReadersBesideTheWriter runs 8 readers (explain and query SQL, each
// in a loop of fresh processes) on the database trace is writing under a
// launch storm. No reader may fail (SQLITE_BUSY or "locked" above all)
// and trace may drop nothing. The writer's rate is logged, not judged:
// on a 2-core host the readers take CPU from the storm itself.
func TestReadersBesideTheWriter(t *testing.T) {
	standintest.RequireBPF(t)
	art := standintest.Require(t)
	explain(t, "--help") // builds the explain binary
	query := buildQuery(t)
	db := filepath.Join(t.TempDir(), "r.db")
	tr := startTrace(t, "-d", db)
	tr.waitLine("ingero trace: watching every CUDA process", 20*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	env := []string{"STANDIN_LAUNCH_NS=" + launchNs(), "STANDIN_RUNTIME_NS=0", "STANDIN_KERNEL_NS=0", "STANDIN_KERNEL_BLOCK_NS=0"}
	load, err := art.Start(ctx, env, "--pattern", "launch-storm", "--duration", "12s")
	if err != nil {
		t.Fatal(err)
	}
	defer load.Cmd.Process.Kill()
	tr.waitLine("tracing PID "+strconv.Itoa(load.PID())+" ", 10*time.Second)
	if err := load.Release(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second) // a few commits to read
	readers := [][]string{
		{explainBin, "-d", db, "--since", "2s"},
		{query, "-d", db, "SELECT op, sum(count) FROM chunk_ops GROUP BY op"},
	}
	var runs atomic.Int64
	var mu sync.Mutex
	var failures []string
	var wg sync.WaitGroup
	stop := time.Now().Add(8 * time.Second)
	for i := range 8 {
		wg.Go(func() {
			argv := readers[i%2]
			for time.Now().Before(stop) {
				out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput()
				runs.Add(1)
				if err != nil {
					mu.Lock()
					failures = append(failures, fmt.Sprintf("%s: %v: %s", filepath.Base(argv[0]), err, out))
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	load.Wait()
	tr.stop()
	summary := lineWith(tr.stderr(), "events in")
	t.Logf("%d reader runs beside the writer; %s", runs.Load(), summary)
	for _, f := range failures {
		t.Errorf("reader failed: %s", f)
	}
	if !strings.Contains(summary, "lost: 0 dropped in the kernel, 0 in user space") {
		t.Errorf("drops with readers beside the writer: %s", summary)
	}
}

func buildQuery(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "ingero-query")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/ingero-query")
	cmd.Dir = "../ingero-query"
	cmd.Env = os.Environ()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ingero-query: %v\n%s", err, out)
	}
	return bin
}
