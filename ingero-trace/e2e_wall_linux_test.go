package trace

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"ingero.dev/bpf/standin/standintest"
)

// The three pathologies that got no chain before the wall-time account,
// played by the stand-in workload under the real trace and read by the
// real explain: each must get the right first chain (above it only
// cpu-preemption by the machine's other load, which the plants never
// cause).

type chainJSON struct {
	Severity  string         `json:"severity"`
	Rule      string         `json:"rule"`
	PID       uint32         `json:"pid"`
	Summary   string         `json:"summary"`
	RootCause string         `json:"root_cause"`
	Evidence  map[string]any `json:"evidence"`
}

// chainsOf runs the real explain --json on the recording.
func chainsOf(t *testing.T, db string, pids ...int) []chainJSON {
	t.Helper()
	args := []string{"-d", db, "--since", "10m", "--json"}
	var ps []string
	for _, p := range pids {
		ps = append(ps, strconv.Itoa(p))
	}
	if len(ps) > 0 {
		args = append(args, "--pid", strings.Join(ps, ","))
	}
	var rep struct {
		Chains []chainJSON `json:"chains"`
	}
	out := explain(t, args...)
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("explain --json: %v\n%s", err, out)
	}
	for _, c := range rep.Chains {
		t.Logf("[%s] %s: %s | %s", c.Severity, c.Rule, c.Summary, c.RootCause)
	}
	if len(rep.Chains) == 0 {
		t.Fatalf("no chain; explain said:\n%s", explain(t, "-d", db, "--since", "10m", "--per-process"))
	}
	return rep.Chains
}

// firstPlanted is the first chain that is not cpu-preemption: go test runs
// other packages (compilers, linkers) beside this one on a 2-core machine,
// and when they preempted the loop more than the plant cost it, the report
// rightly says so first. No plant here preempts anything.
func firstPlanted(t *testing.T, chains []chainJSON) chainJSON {
	t.Helper()
	for _, c := range chains {
		if c.Rule != "cpu-preemption" {
			return c
		}
		t.Logf("ranked above the plant, the machine's other load: %s", c.Summary)
	}
	t.Fatal("only cpu-preemption chains")
	return chainJSON{}
}

func wantFirst(t *testing.T, db string, chains []chainJSON, rule string, pid int, words ...string) chainJSON {
	t.Helper()
	perProcess := explain(t, "-d", db, "--since", "10m", "--per-process")
	c := firstPlanted(t, chains)
	if c.Rule != rule || pid != 0 && int(c.PID) != pid || c.Severity != "HIGH" && c.Severity != "MEDIUM" {
		t.Fatalf("first chain [%s] %s for PID %d, want %s for PID %d; the account:\n%s", c.Severity, c.Rule, c.PID, rule, pid, perProcess)
	}
	for _, w := range words {
		if !strings.Contains(c.Summary+" "+c.RootCause, w) {
			t.Errorf("%s chain lacks %q: %s | %s", rule, w, c.Summary, c.RootCause)
		}
	}
	return c
}

func TestExplainInputBoundLoop(t *testing.T) {
	standintest.RequireBPF(t)
	art := standintest.Require(t)
	db := filepath.Join(t.TempDir(), "input.db")
	tr := startTrace(t, "-d", db)
	tr.waitLine("ingero trace: watching", 20*time.Second)
	counts := runTraced(t, tr, art, nil, "--pattern", "train-input", "--duration", "4s", "--cpu", "1")
	tr.stop()
	c := wantFirst(t, db, chainsOf(t, db, counts.PID), "host-bound", counts.PID, "on the CPU between CUDA calls")
	if c.Severity != "HIGH" {
		t.Errorf("a loop that works 20 ms on the CPU per ~1 ms step: %s", c.Severity)
	}
}

// diskDir is a directory on a block device for the checkpoint: the
// temporary directory unless it is tmpfs, else one beside the test.
func diskDir(t *testing.T) string {
	t.Helper()
	for _, base := range []string{os.TempDir(), "."} {
		var fs syscall.Statfs_t
		if syscall.Statfs(base, &fs) == nil && fs.Type != 0x01021994 { // TMPFS_MAGIC
			dir, err := os.MkdirTemp(base, "ingero-ckpt-")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.RemoveAll(dir) })
			return dir
		}
	}
	t.Fatal("no directory on a disk for the checkpoint (the temporary directory and this one are tmpfs)")
	return ""
}

func TestExplainCheckpointInLoop(t *testing.T) {
	standintest.RequireBPF(t)
	art := standintest.Require(t)
	db := filepath.Join(t.TempDir(), "ckpt.db")
	tr := startTrace(t, "-d", db)
	tr.waitLine("ingero trace: watching", 20*time.Second)
	env := []string{"STANDIN_CKPT_DIR=" + diskDir(t), "STANDIN_CKPT_PERIOD_NS=500000000", fmt.Sprintf("STANDIN_CKPT_BYTES=%d", 128<<20)}
	counts := runTraced(t, tr, art, env, "--pattern", "train-ckpt", "--duration", "5s", "--cpu", "1")
	tr.stop()
	c := wantFirst(t, db, chainsOf(t, db, counts.PID), "block-io", counts.PID, "between its CUDA calls", "written")
	if c.Evidence["between_calls"] != true {
		t.Errorf("block-io chain is not the in-loop reading: %v", c.Evidence)
	}
	if w, _ := c.Evidence["write_bytes"].(float64); w < 4*128<<20 {
		t.Errorf("the loop's own writes: %v bytes, want at least 4 checkpoints of 128 MiB", w)
	}
}

func TestExplainTwoJobsShareTheGPU(t *testing.T) {
	standintest.RequireBPF(t)
	art := standintest.Require(t)
	db := filepath.Join(t.TempDir(), "shared.db")
	tr := startTrace(t, "-d", db)
	tr.waitLine("ingero trace: watching", 20*time.Second)
	env := []string{"STANDIN_DEVICE_FILE=" + filepath.Join(t.TempDir(), "gpu0")}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var pids []int
	var runs []interface{ Release() error }
	waits := make([]func() error, 0, 2)
	for i, comm := range []string{"trainer-a", "trainer-b"} {
		run, err := art.Start(ctx, env, "--pattern", "train", "--duration", "4s", "--cpu", strconv.Itoa(i), "--comm", comm)
		if err != nil {
			t.Fatal(err)
		}
		tr.waitLine(fmt.Sprintf("tracing PID %d ", run.PID()), 10*time.Second)
		pids = append(pids, run.PID())
		runs = append(runs, run)
		waits = append(waits, func() error { _, err := run.Wait(); return err })
	}
	for _, r := range runs {
		if err := r.Release(); err != nil {
			t.Fatal(err)
		}
	}
	for _, w := range waits {
		if err := w(); err != nil {
			t.Fatal(err)
		}
	}
	tr.stop()
	chains := chainsOf(t, db)
	first := firstPlanted(t, chains)
	// Sharing all along is gpu-shared; where it measurably slowed one
	// job's calls multi-process-contention says so instead. Either names
	// the other job.
	if first.Rule != "gpu-shared" && first.Rule != "multi-process-contention" {
		t.Fatalf("first chain [%s] %s, want gpu-shared (or multi-process-contention)", first.Severity, first.Rule)
	}
	other := "trainer-b"
	if int(first.PID) == pids[1] {
		other = "trainer-a"
	}
	if !strings.Contains(first.RootCause, other) {
		t.Errorf("first chain does not name %s: %s", other, first.RootCause)
	}
}
