package dashboard

import (
	"cmp"
	"context"
	"net/http"
	"slices"

	"ingero.dev/common/annotate"
	"ingero.dev/common/causal"
	"ingero.dev/common/event"
	"ingero.dev/common/report"
	"ingero.dev/common/store"
)

// chainsJSON is explain --chains --json (docs/json.md) with the window's
// liveness: the chains trace stored while recording, with the labels of
// the annotations that cover each.
type chainsJSON struct {
	report.Chains
	Live bool `json:"live"`
}

func (a *api) chains(ctx context.Context, r *store.Reader, req *http.Request) (any, error) {
	w, err := a.window(r, req)
	if err != nil {
		return nil, err
	}
	chains, err := r.Chains(w.FromNs, w.ToNs)
	if err != nil {
		return nil, err
	}
	// Most severe first, the newest first among equals: what happens now
	// matters more on a live page than what happened an hour ago.
	slices.SortStableFunc(chains, func(x, y event.Chain) int {
		return cmp.Or(cmp.Compare(y.Severity, x.Severity), cmp.Compare(y.DetectedNs, x.DetectedNs))
	})
	events, err := windowEvents(ctx, r, w)
	if err != nil {
		return nil, err
	}
	labels, err := chainLabels(r, chains)
	if err != nil {
		return nil, err
	}
	rep := &causal.Report{FromNs: w.FromNs, ToNs: w.ToNs, Events: events, Chains: chains}
	return chainsJSON{Chains: report.NewChains(rep, labels), Live: w.Live}, nil
}

// windowEvents counts the window's events from the chunk summaries.
func windowEvents(ctx context.Context, r *store.Reader, w window) (int64, error) {
	stats, err := r.OpSummary(ctx, store.Filter{FromNs: w.FromNs, ToNs: w.ToNs})
	if err != nil {
		return 0, err
	}
	var n int64
	for _, s := range stats {
		n += s.Count
	}
	return n, nil
}

// chainLabels finds the annotations covering each chain.
func chainLabels(r *store.Reader, chains []event.Chain) ([][]map[string]string, error) {
	if len(chains) == 0 {
		return nil, nil
	}
	anns, err := r.Annotations(0, 0)
	if err != nil {
		return nil, err
	}
	return annotate.New(anns).Chains(chains), nil
}

// chainOut is one chain as /chains shows it, for the overview.
func chainOut(ch event.Chain) report.Chain { return report.ChainOf(ch) }
