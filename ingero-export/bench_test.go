package export

import (
	"ingero.dev/common/cli/clitest"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

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
				rss := clitest.PeakRSS(b, "-d", db, "-o", out, "--chains", "none")
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

func TestMain(m *testing.M) { clitest.ChildMain(m, New) }
