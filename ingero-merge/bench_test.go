package merge

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"ingero.dev/common/cli"
	"ingero.dev/common/recording/recordingtest"
)

// BenchmarkMergeThreeNodes merges three recordings of INGERO_BENCH_EVENTS
// events each (default 1M; the target is stated for 10M) in a child
// process and reports its peak RSS, which must stay under 300 MB whatever
// the size: chunks are copied one at a time.
//
//	INGERO_BENCH_EVENTS=10000000 go test ./ingero-merge -run '^$' -bench MergeThreeNodes -benchtime 1x
func BenchmarkMergeThreeNodes(b *testing.B) {
	n := 1_000_000
	if v := os.Getenv("INGERO_BENCH_EVENTS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			b.Fatal(err)
		}
	}
	dir := b.TempDir()
	var inputs []string
	for i := range 3 {
		p := filepath.Join(dir, fmt.Sprintf("node-%d.db", i+1))
		recordingtest.WriteLarge(b, p, fmt.Sprintf("node-%d", i+1), n, uint64(i+1))
		inputs = append(inputs, p)
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		out := filepath.Join(dir, fmt.Sprintf("cluster-%d.db", i))
		start := time.Now()
		rss := runChild(b, append(inputs, "-o", out, "--quiet"))
		b.ReportMetric(float64(rss)/(1<<20), "MB-peak-RSS")
		b.ReportMetric(float64(3*n)/time.Since(start).Seconds(), "events/s")
		os.Remove(out)
	}
}

// runChild runs the merge in a fresh process (this test binary, see
// TestMain) so that its peak RSS is the merge's alone, and returns it.
func runChild(b *testing.B, args []string) int64 {
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^$"}, args...)...)
	cmd.Env = append(os.Environ(), "INGERO_MERGE_CHILD=1")
	hwm := filepath.Join(b.TempDir(), "hwm")
	cmd.Env = append(cmd.Env, "INGERO_CHILD_HWM="+hwm)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Run(); err != nil {
		b.Fatalf("merge: %v: %s", err, errb.String())
	}
	// The child's own high-water mark: wait4's ru_maxrss would also count
	// this process's memory, which exec carries over into it.
	kb, err := os.ReadFile(hwm)
	if err != nil {
		b.Fatal(err)
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(kb)), 10, 64)
	if err != nil {
		b.Fatal(err)
	}
	return n * 1024
}

// peakRSSKiB reads VmHWM, the peak resident set of this process since exec.
func peakRSSKiB() string {
	status, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB"))
		}
	}
	return "0"
}

func TestMain(m *testing.M) {
	if os.Getenv("INGERO_MERGE_CHILD") == "1" {
		var args []string
		for _, a := range os.Args[1:] {
			if a != "-test.run=^$" {
				args = append(args, a)
			}
		}
		code := cli.Run(New(cli.OSStdio()), args, cli.OSStdio())
		os.WriteFile(os.Getenv("INGERO_CHILD_HWM"), []byte(peakRSSKiB()), 0o644)
		os.Exit(code)
	}
	os.Exit(m.Run())
}
