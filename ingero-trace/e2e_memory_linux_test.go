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
	"ingero.dev/common/event"
	"ingero.dev/common/memcg"
	"ingero.dev/common/testenv"
)

// memRun is what the memory probes recorded of one stand-in run.
type memRun struct {
	reclaims, reclaimNs int64
	fileFaults, faultNs int64
	minorFaults, usages int64
	kernelMajor         int64 // the workload's majflt (getrusage)
	rssMax              uint64
	chains              []chainJSON
}

// runPaging traces the stand-in's train-paging loop (train steps, each
// reading every page of a memory-mapped 96 MiB dataset) for 6 s, in a
// memory cgroup of its own limited to limit bytes, and reads back the
// memory events and explain's chains for it.
func runPaging(t *testing.T, limit int64) memRun {
	t.Helper()
	art := standintest.Require(t)
	dir := t.TempDir()
	var fs syscall.Statfs_t
	if err := syscall.Statfs(dir, &fs); err != nil || fs.Type == 0x01021994 { // TMPFS_MAGIC
		testenv.Unavailable(t, dir+" is tmpfs: a memory-mapped file there cannot be paged out and read back (set TMPDIR to a disk)")
	}
	g, err := memcg.New(fmt.Sprintf("ingero-e2e-mem-%d", os.Getpid()), limit)
	if err != nil {
		testenv.Unavailable(t, err.Error())
	}
	defer g.Close()
	db := filepath.Join(dir, "mem.db")
	tr := startTrace(t, "-d", db)
	tr.waitLine("ingero trace: watching", 20*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	run, err := art.Start(ctx, []string{"STANDIN_DATA_DIR=" + dir, "STANDIN_WORKING_SET_BYTES=" + strconv.Itoa(96<<20)},
		"--pattern", "train-paging", "--duration", "6s")
	if err != nil {
		t.Fatal(err)
	}
	// Before the loop starts: its dataset is charged to the group.
	if err := g.Add(run.PID()); err != nil {
		t.Fatal(err)
	}
	tr.waitLine(fmt.Sprintf("tracing PID %d ", run.PID()), 10*time.Second)
	if err := run.Release(); err != nil {
		t.Fatal(err)
	}
	counts, err := run.Wait()
	if err != nil {
		t.Fatal(err)
	}
	tr.stop()
	pid := uint32(counts.PID)
	var r memRun
	if ru, ok := run.Cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.kernelMajor = ru.Majflt
	}
	evs, _ := eventsOf(t, db, pid)
	for _, e := range evs {
		if e.Source != event.SourceHost {
			continue
		}
		switch e.Op {
		case event.Reclaim:
			r.reclaims++
			r.reclaimNs += e.DurNs
		case event.FaultFile:
			r.fileFaults += int64(e.Args[0])
			r.faultNs += e.DurNs
		case event.FaultMinor:
			r.minorFaults += int64(e.Args[0])
		case event.MemUsage:
			r.usages++
			r.rssMax = max(r.rssMax, e.Args[0])
		}
	}
	t.Logf("limit %d MiB: %d reclaims (%v), %d file faults (%v blocked; the kernel counted %d major faults in all), %d minor faults, %d usage samples, RSS up to %d MiB",
		limit>>20, r.reclaims, time.Duration(r.reclaimNs), r.fileFaults, time.Duration(r.faultNs), r.kernelMajor, r.minorFaults, r.usages, r.rssMax>>20)
	var rep struct {
		Chains []chainJSON `json:"chains"`
	}
	out := explain(t, "-d", db, "--since", "10m", "--json", "--pid", strconv.Itoa(int(pid)))
	if err := jsonUnmarshal(out, &rep); err != nil {
		t.Fatalf("explain --json: %v\n%s", err, out)
	}
	for _, c := range rep.Chains {
		t.Logf("[%s] %s: %s | %s", c.Severity, c.Rule, c.Summary, c.RootCause)
	}
	r.chains = rep.Chains
	return r
}

func chainNamed(chains []chainJSON, rule string) *chainJSON {
	for i := range chains {
		if chains[i].Rule == rule {
			return &chains[i]
		}
	}
	return nil
}

// TestTraceMemoryPressure: the stand-in loop confined to 24 MiB by its
// cgroup while its dataset is 96 MiB reclaims and faults its pages back in
// every step; trace records both for its thread and explain names
// memory-pressure with the numbers. The same loop with room to spare (a
// 1 GiB limit) faults its pages in once and gets no such chain.
func TestTraceMemoryPressure(t *testing.T) {
	standintest.RequireBPF(t)
	t.Run("confined", func(t *testing.T) {
		r := runPaging(t, 24<<20)
		if r.reclaims == 0 || r.reclaimNs <= 0 {
			t.Errorf("no cgroup reclaim recorded: %+v", r)
		}
		// Readahead brings pages in around each major fault, so the
		// kernel counts far fewer than one per page; those it counted
		// before tracing began (loading the libraries) are not recorded.
		if r.fileFaults == 0 || r.fileFaults > r.kernelMajor || r.faultNs <= 0 {
			t.Errorf("%d major faults recorded (%v blocked); the kernel counted %d", r.fileFaults, time.Duration(r.faultNs), r.kernelMajor)
		}
		if r.usages == 0 || r.rssMax == 0 || r.rssMax > 24<<20 {
			t.Errorf("RSS samples %d, peak %d bytes (limit 24 MiB)", r.usages, r.rssMax)
		}
		c := chainNamed(r.chains, "memory-pressure")
		if c == nil {
			t.Fatalf("no memory-pressure chain")
		}
		for _, w := range []string{"waiting on host memory", "cgroup", "major page faults"} {
			if !strings.Contains(c.RootCause, w) {
				t.Errorf("root cause lacks %q: %s", w, c.RootCause)
			}
		}
		if c.Evidence["stall_ns"].(float64) <= 0 {
			t.Errorf("evidence %v", c.Evidence)
		}
	})
	t.Run("clean", func(t *testing.T) {
		r := runPaging(t, 1<<30)
		if c := chainNamed(r.chains, "memory-pressure"); c != nil {
			t.Errorf("a clean run got memory-pressure: %s", c.RootCause)
		}
		if r.reclaims != 0 || r.usages == 0 {
			t.Errorf("clean run: %+v", r)
		}
	})
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
