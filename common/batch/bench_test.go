package batch_test

import (
	"testing"

	"ingero.dev/common/batch"
	"ingero.dev/common/batch/batchtest"
	"ingero.dev/common/event"
)

// benchBatchSize is what trace flushes at once under a launch storm.
const benchBatchSize = 4096

var benchSets = []struct {
	name string
	evs  []event.Event
}{
	{"launch-storm", batchtest.LaunchStorm(1, benchBatchSize)},
	{"mixed", batchtest.Mixed(1, benchBatchSize)},
}

// BenchmarkEncode measures what a writer pays per batch: the columnar
// encoding plus zstd. B/event is the compressed size.
func BenchmarkEncode(b *testing.B) {
	for _, set := range benchSets {
		b.Run(set.name, func(b *testing.B) {
			enc := batch.NewEncoder()
			var raw, packed []byte
			b.ReportAllocs()
			for b.Loop() {
				raw = enc.Append(raw[:0], set.evs)
				packed = batch.Compress(packed[:0], raw)
			}
			reportPerEvent(b, len(set.evs), len(raw), len(packed))
		})
	}
}

// BenchmarkDecode measures the reverse: zstd then columnar decoding into
// a reused slice.
func BenchmarkDecode(b *testing.B) {
	for _, set := range benchSets {
		b.Run(set.name, func(b *testing.B) {
			raw := batch.NewEncoder().Append(nil, set.evs)
			packed := batch.Compress(nil, raw)
			var buf []byte
			var evs []event.Event
			b.ReportAllocs()
			for b.Loop() {
				var err error
				if buf, err = batch.Decompress(buf[:0], packed); err != nil {
					b.Fatal(err)
				}
				if evs, err = batch.Decode(buf, evs[:0]); err != nil {
					b.Fatal(err)
				}
			}
			reportPerEvent(b, len(set.evs), len(raw), len(packed))
		})
	}
}

func reportPerEvent(b *testing.B, events, raw, packed int) {
	b.ReportMetric(float64(b.N)*float64(events)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(packed)/float64(events), "B/event")
	b.ReportMetric(float64(raw)/float64(events), "rawB/event")
}
