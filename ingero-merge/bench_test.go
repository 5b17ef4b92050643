package merge

import (
	"fmt"
	"ingero.dev/common/cli/clitest"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

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
		rss := clitest.PeakRSS(b, append(inputs, "-o", out, "--quiet")...)
		b.ReportMetric(float64(rss)/(1<<20), "MB-peak-RSS")
		b.ReportMetric(float64(3*n)/time.Since(start).Seconds(), "events/s")
		os.Remove(out)
	}
}

func TestMain(m *testing.M) { clitest.ChildMain(m, New) }
