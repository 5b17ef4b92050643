// Package hist is the latency histogram that trace, explain, mcp and the
// dashboard share, so that a p99 means the same thing everywhere.
//
// Values are int64 nanoseconds; negative values count as 0. Buckets are
// log-linear: every value below 256 ns has a bucket of its own, and each
// power-of-two range [2^k, 2^(k+1)) above that is cut into 128 equal
// buckets. The whole int64 range fits in 7,296 buckets, and storage is
// allocated one 128-bucket octave at a time, so a histogram only costs
// memory for the magnitudes it has seen (1 KiB per octave).
//
// # Quantiles
//
// Quantile(q) uses the nearest-rank definition: the value of rank
// NearestRank(q, n) = ceil(q·n), clamped to [1, n], among the n recorded
// values sorted ascending. Rank 1 returns Min and rank n returns Max
// exactly. Any other rank returns the midpoint of the bucket holding that
// rank, clamped to [Min, Max].
//
// Error bound: the exact nearest-rank value v and the returned value lie in
// the same bucket, whose width is at most 1/128 of its lower bound, so
// |Quantile(q) − v| ≤ v/256 (under 0.4%). Values below 256 ns are exact.
//
// FormatNs renders nanoseconds the way every ingero report prints
// latencies (4.8µs, 16.7ms, 142ms, 2.1s).
//
// A Histogram is not safe for concurrent use; its zero value is empty and
// ready to use.
package hist
