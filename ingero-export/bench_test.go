package export

import (
	"bytes"
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

// BenchmarkExport exports a recording of INGERO_BENCH_EVENTS events
// (default 1M; the memory target is stated for 10M) in each format, in a
// child process, and reports its peak RSS: the trace is streamed, so it
// must not grow with the recording.
//
//	INGERO_BENCH_EVENTS=10000000 go test ./ingero-export -run '^$' -bench Export -benchtime 1x
func BenchmarkExport(b *testing.B) {
	n := 1_000_000
	if v := os.Getenv("INGERO_BENCH_EVENTS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			b.Fatal(err)
		}
	}
	dir := b.TempDir()
	db := filepath.Join(dir, "big.db")
	recordingtest.WriteLarge(b, db, "node-1", n, 1)
	for _, name := range []string{"trace.perfetto-trace", "trace.json"} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				out := filepath.Join(dir, name)
				start := time.Now()
				// --chains none: the causal engine's own cost is benchmarked in common/causal.
				rss := runChild(b, "-d", db, "-o", out, "--chains", "none")
				b.ReportMetric(float64(rss)/(1<<20), "MB-peak-RSS")
				b.ReportMetric(float64(n)/time.Since(start).Seconds(), "events/s")
				if fi, err := os.Stat(out); err == nil {
					b.ReportMetric(float64(fi.Size())/float64(n), "B/event")
				}
				os.Remove(out)
			}
		})
	}
}

func runChild(b *testing.B, args ...string) int64 {
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^$"}, args...)...)
	cmd.Env = append(os.Environ(), "INGERO_EXPORT_CHILD=1")
	hwm := filepath.Join(b.TempDir(), "hwm")
	cmd.Env = append(cmd.Env, "INGERO_CHILD_HWM="+hwm)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Run(); err != nil {
		b.Fatalf("export: %v: %s", err, errb.String())
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
	if os.Getenv("INGERO_EXPORT_CHILD") == "1" {
		code := cli.Run(New(cli.OSStdio()), os.Args[2:], cli.OSStdio())
		os.WriteFile(os.Getenv("INGERO_CHILD_HWM"), []byte(peakRSSKiB()), 0o644)
		os.Exit(code)
	}
	os.Exit(m.Run())
}
