//go:build linux

package listen

import "time"

// senderKey is one process: its PID and start time, so that a later
// process with the same PID gets a bucket of its own.
type senderKey struct {
	pid   uint32
	start uint64
}

// bucket is a token bucket: rate lines per second, at most burst at once.
// The server's lock guards it.
type bucket struct {
	rate, tokens, burst float64
	last                time.Time
}

func newBucket(rate float64, burst int, now time.Time) *bucket {
	return &bucket{rate: rate, burst: float64(burst), tokens: float64(burst), last: now}
}

func (b *bucket) take(now time.Time) bool {
	if b.rate <= 0 {
		return true // no limit
	}
	if dt := now.Sub(b.last).Seconds(); dt > 0 {
		b.tokens = min(b.burst, b.tokens+dt*b.rate)
		b.last = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
