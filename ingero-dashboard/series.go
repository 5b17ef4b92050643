package dashboard

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"ingero.dev/common/event"
	"ingero.dev/common/store"
)

// seriesJSON is per-op call rates and latencies over time, for the
// charts. Buckets are read from the chunk summaries (chunk_ops), so they
// cost no decoding: a chunk's calls of an op are spread evenly over the
// time from the first of them to the last. Trace seals a chunk at least
// every 250 ms, so on a live recording a call is counted at most that far
// from its own bucket.
type seriesJSON struct {
	BucketNs int64      `json:"bucket_ns"`
	Start    string     `json:"start"`
	StartNs  int64      `json:"start_ns"`
	Buckets  int        `json:"buckets"`
	Ops      []opSeries `json:"ops"`
}

type opSeries struct {
	Source string `json:"source"`
	Op     string `json:"op"`
	// Per bucket: calls, mean and largest duration (0 where no call).
	Calls  []int64 `json:"calls"`
	MeanNs []int64 `json:"mean_ns"`
	MaxNs  []int64 `json:"max_ns"`
	sumNs  []int64
	total  int64
}

type span struct{ from, to int64 }

// add spreads count calls (sumNs of duration, the longest maxNs) over
// the buckets that sp overlaps, in proportion to the overlap; parts
// outside the series are left out. The largest duration is not spread:
// each bucket that may hold that call shows it.
func (s *opSeries) add(sp span, count, sumNs, maxNs, start, width int64) {
	first, last := floorDiv(sp.from-start, width), floorDiv(sp.to-start, width)
	if first == last {
		s.put(first, count, sumNs, maxNs)
		return
	}
	length := sp.to - sp.from
	var given, givenNs int64
	for b := first; b <= last; b++ {
		lo, hi := max(sp.from, start+b*width), min(sp.to, start+(b+1)*width)
		share := float64(hi-lo) / float64(length)
		n, d := int64(float64(count)*share+0.5), int64(float64(sumNs)*share+0.5)
		if b == last { // what rounding left over, so that the parts add up
			n, d = count-given, sumNs-givenNs
		}
		given, givenNs = given+n, givenNs+d
		s.put(b, n, d, maxNs)
	}
}

func (s *opSeries) put(b, n, sumNs, maxNs int64) {
	if b < 0 || b >= int64(len(s.Calls)) || n == 0 {
		return
	}
	s.Calls[b] += n
	s.sumNs[b] += sumNs
	s.MaxNs[b] = max(s.MaxNs[b], maxNs)
	s.total += n
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// wideBucket is the bucket width from which series are summed in SQL
// rather than spread chunk by chunk in Go.
const wideBucket = 30 * time.Second

// seriesBuckets is about how many points a chart gets.
const seriesBuckets = 120

// niceSteps are the bucket widths offered, so that axes read well.
var niceSteps = []time.Duration{
	time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, 30 * time.Second,
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour,
}

func bucketWidth(span int64) int64 {
	for _, s := range niceSteps {
		if span/int64(s) <= seriesBuckets {
			return int64(s)
		}
	}
	return int64(niceSteps[len(niceSteps)-1])
}

// gpuSources are the sources the charts show.
var gpuSources = fmt.Sprintf("%d, %d, %d, %d", event.SourceCUDA, event.SourceDriver, event.SourceGraph, event.SourceNCCL)

func opSeriesOf(ctx context.Context, r *store.Reader, w window) (seriesJSON, error) {
	from := w.FromNs
	if from == 0 {
		sp, err := r.TimeSpan()
		if err != nil {
			return seriesJSON{}, err
		}
		from = sp.FirstNs
	}
	out := seriesJSON{Ops: []opSeries{}}
	if from == 0 || w.ToNs < from {
		return out, nil
	}
	width := bucketWidth(w.ToNs - from)
	start := from / width * width
	n := int((w.ToNs-start)/width) + 1
	out.BucketNs, out.StartNs, out.Start, out.Buckets = width, start, stamp(start), n
	byKey := map[event.Key]*opSeries{}
	series := func(k event.Key) *opSeries {
		s := byKey[k]
		if s == nil {
			s = &opSeries{Source: k.Source.String(), Op: event.OpName(k.Source, k.Op),
				Calls: make([]int64, n), MeanNs: make([]int64, n), MaxNs: make([]int64, n), sumNs: make([]int64, n)}
			byKey[k] = s
		}
		return s
	}
	key := func(row []any) event.Key {
		return event.Key{Source: event.Source(row[0].(int64)), Op: event.Op(row[1].(int64))}
	}
	// +t_min keeps SQLite on the t_max index, which finds the recent
	// chunks without walking every older one.
	chunks := `FROM chunk_ops WHERE source IN (` + gpuSources + `) AND t_max >= ?1 AND t_min <= ?2
		AND chunk_id IN (SELECT id FROM event_chunks WHERE t_max >= ?1 AND +t_min <= ?2)`
	if width >= int64(wideBucket) {
		// Wide buckets over long windows: a chunk spans a sliver of one, so
		// SQLite sums per bucket, which bounds memory on a day of chunks.
		res, err := r.Query(ctx, 0, `SELECT source, op, (max(t_min, ?3) - ?3) / ?4, sum(count), sum(dur_sum), max(dur_max) `+
			chunks+` GROUP BY 1, 2, 3`, from, w.ToNs, start, width)
		if err != nil {
			return seriesJSON{}, fmt.Errorf("reading op series: %w", err)
		}
		for _, row := range res.Rows {
			series(key(row)).put(row[2].(int64), row[3].(int64), row[4].(int64), row[5].(int64))
		}
	} else {
		res, err := r.Query(ctx, 0, `SELECT source, op, count, dur_sum, dur_max, t_min, t_max `+chunks, from, w.ToNs)
		if err != nil {
			return seriesJSON{}, fmt.Errorf("reading op series: %w", err)
		}
		for _, row := range res.Rows {
			series(key(row)).add(span{row[5].(int64), row[6].(int64)}, row[2].(int64), row[3].(int64), row[4].(int64), start, width)
		}
	}
	for _, s := range byKey {
		for i, c := range s.Calls {
			if c > 0 {
				s.MeanNs[i] = s.sumNs[i] / c
			}
		}
		out.Ops = append(out.Ops, *s)
	}
	slices.SortFunc(out.Ops, func(a, b opSeries) int {
		return cmp.Or(cmp.Compare(b.total, a.total), cmp.Compare(a.Op, b.Op))
	})
	return out, nil
}
