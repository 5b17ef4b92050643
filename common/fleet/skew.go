package fleet

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// SkewSamples is how many /api/v1/time round trips one estimate takes:
// the median of several shrugs off one delayed packet.
const SkewSamples = 5

// Skew is one node's clock against this machine's, NTP-style: Offset is
// how far the node's clock is ahead (negative: behind), known to within
// ±RTT/2.
type Skew struct {
	Node   Node
	Offset time.Duration
	RTT    time.Duration
}

type timeJSON struct {
	TimestampNs int64 `json:"timestamp_ns"`
}

// MeasureSkew estimates every reachable node's offset from this
// machine's clock; nodes that do not answer are left out (the command's
// own request already reports them).
func MeasureSkew(ctx context.Context, c *Client) []Skew {
	res := Each(ctx, c, func(ctx context.Context, n Node) (Skew, error) {
		return c.skewOf(ctx, n, SkewSamples)
	})
	var out []Skew
	for _, r := range res {
		if r.Err == nil {
			out = append(out, r.Value)
		}
	}
	return out
}

func (c *Client) skewOf(ctx context.Context, n Node, samples int) (Skew, error) {
	offsets := make([]time.Duration, 0, samples)
	rtts := make([]time.Duration, 0, samples)
	for range samples {
		var tj timeJSON
		t0 := time.Now()
		if err := c.Get(ctx, n, "/api/v1/time", nil, &tj); err != nil {
			return Skew{}, err
		}
		rtt := time.Since(t0) // monotonic: a clock step here cannot make it negative
		mid := t0.Add(rtt / 2)
		offsets = append(offsets, time.Duration(tj.TimestampNs-mid.UnixNano()))
		rtts = append(rtts, rtt)
	}
	return Skew{Node: n, Offset: median(offsets), RTT: median(rtts)}, nil
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// SkewWarnings names each node whose clock differs from the fleet's
// median clock by more than threshold beyond what the round trips leave
// uncertain, so that a long link alone never raises one. The reference
// is the median node, not this machine: rows and chains are compared
// between nodes, and the client's own clock plays no part in them.
func SkewWarnings(skews []Skew, threshold time.Duration) []string {
	if len(skews) < 2 {
		return nil
	}
	offs := make([]time.Duration, len(skews))
	for i, s := range skews {
		offs[i] = s.Offset
	}
	// The reference is one node's own offset (the lower middle), so that
	// with two nodes one is named rather than both being half off.
	slices.Sort(offs)
	ref := offs[(len(offs)-1)/2]
	var out []string
	for _, s := range skews {
		d := s.Offset - ref
		if abs(d)-s.RTT/2 <= threshold {
			continue
		}
		dir := "ahead of"
		if d < 0 {
			dir = "behind"
		}
		out = append(out, fmt.Sprintf("clock skew: %s is ~%s %s the other nodes (RTT %s; --clock-skew-threshold %s); its times are shifted by that much against theirs: check its NTP/chrony",
			s.Node.Name, roundDur(abs(d)), dir, roundDur(s.RTT), threshold))
	}
	return out
}

func abs(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

func roundDur(d time.Duration) time.Duration {
	switch {
	case d >= time.Second:
		return d.Round(time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(100 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}
