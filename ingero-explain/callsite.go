package explain

import (
	"context"
	"fmt"

	"ingero.dev/common/callsite"
	"ingero.dev/common/causal"
	"ingero.dev/common/event"
	"ingero.dev/common/source"
)

// nameCallSites adds to each chain about one op the line of the program
// that made most of its time in that op, where the recording has stacks
// (trace --stack): the Python line behind slow syncs, the C line behind a
// leak. It goes into the chain's evidence, which text and JSON show.
func nameCallSites(ctx context.Context, src source.Source, rep *causal.Report) error {
	for i := range rep.Chains {
		ch := &rep.Chains[i]
		oi, ok := event.OpByName(ch.Op)
		if !ok {
			continue
		}
		f := source.Filter{FromNs: rep.FromNs, ToNs: rep.ToNs, Ops: []event.Key{{Source: oi.Source, Op: oi.Op}}}
		if ch.PID != 0 {
			f.PIDs = []uint32{ch.PID}
		}
		top, cnt, err := callsite.Of(ctx, src, f, 1)
		if err != nil {
			return fmt.Errorf("reading call sites of %s: %w", ch.Op, err)
		}
		if len(top) == 0 {
			if cnt.Stacked == 0 && cnt.Unstacked > 0 && (oi.Source == event.SourceCUDA || oi.Source == event.SourceDriver) {
				// trace --stack gives every CUDA and driver call a stack:
				// this recording has none, so no other chain's scan would
				// find one either.
				return nil
			}
			continue
		}
		if ch.Evidence == nil {
			ch.Evidence = map[string]any{}
		}
		ch.Evidence["call_site"] = top[0].Site
		ch.Evidence["call_site_calls"] = top[0].Calls
		ch.Evidence["call_site_of_calls"] = cnt.Stacked
	}
	return nil
}

// callSiteLine is the text report's line for a chain's call site, or "".
func callSiteLine(ch event.Chain) string {
	site, ok := ch.Evidence["call_site"].(string)
	if !ok {
		return ""
	}
	n, _ := ch.Evidence["call_site_calls"].(int64)
	of, _ := ch.Evidence["call_site_of_calls"].(int64)
	return fmt.Sprintf("Call site: %s (%d of %d %s calls with a stack)", site, n, of, ch.Op)
}
