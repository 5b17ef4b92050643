package explain

import (
	"context"
	"slices"

	"ingero.dev/common/causal"
	"ingero.dev/common/event"
	"ingero.dev/common/source"
)

// storedChains reads the chains trace detected live, without analysing
// anything: only the events are counted, from the chunk summaries. With
// --pid it keeps those processes' chains and the host-wide ones (PID 0),
// which can touch every process.
func storedChains(ctx context.Context, r source.Source, opts causal.Options) (*causal.Report, error) {
	chains, err := r.Chains(opts.FromNs, opts.ToNs)
	if err != nil {
		return nil, err
	}
	if len(opts.PIDs) > 0 {
		chains = slices.DeleteFunc(chains, func(ch event.Chain) bool {
			return ch.PID != 0 && !slices.Contains(opts.PIDs, ch.PID)
		})
	}
	n, err := countEvents(ctx, r, opts.FromNs, opts.ToNs, opts.PIDs)
	if err != nil {
		return nil, err
	}
	rep := &causal.Report{FromNs: opts.FromNs, ToNs: opts.ToNs, Events: n, Chains: chains}
	if rep.FromNs == 0 {
		span, err := r.TimeSpan()
		if err != nil {
			return nil, err
		}
		rep.FromNs = span.FirstNs
	}
	return rep, nil
}

func countEvents(ctx context.Context, r source.Source, from, to int64, pids []uint32) (int64, error) {
	return source.Count(ctx, r, source.Filter{FromNs: from, ToNs: to, PIDs: pids})
}
