package export

import (
	"context"
	"fmt"
	"strings"
	"time"

	"ingero.dev/common/causal"
	"ingero.dev/common/event"
	"ingero.dev/common/recording"
)

func (b *builder) snapshots(rec *recording.Recording, sel selection) error {
	snaps, err := rec.Snapshots(sel.fromNs, sel.toNs)
	if err != nil {
		return err
	}
	for _, s := range snaps {
		for _, c := range []struct {
			name, unit string
			v          float64
		}{
			{"CPU %", "%", s.CPUPct}, {"memory %", "%", s.MemPct},
			{"MemAvailable MiB", "MiB", float64(s.MemAvailMB)}, {"swap used MiB", "MiB", float64(s.SwapUsedMB)},
			{"load average (1 min)", "", s.Load1},
		} {
			tr, err := b.tr.counter(s.Node, c.name, c.unit)
			if err != nil {
				return err
			}
			if err := b.out.counter(tr, s.TimeNs, c.v); err != nil {
				return err
			}
		}
	}
	return nil
}

func (b *builder) chains(ctx context.Context, rec *recording.Recording, sel selection) error {
	if sel.chains == chainsNone {
		return nil
	}
	var chains []event.Chain
	var err error
	if sel.chains != chainsAnalyze {
		if chains, err = rec.Chains(sel.fromNs, sel.toNs); err != nil {
			return err
		}
	}
	analysed := false
	if sel.chains == chainsAnalyze || (sel.chains == chainsAuto && len(chains) == 0) {
		// A recording made without live analysis holds no chains: find
		// them as 'ingero explain' would, over the exported window.
		rep, err := causal.Analyze(ctx, rec.Reader, causal.Options{FromNs: sel.fromNs, ToNs: sel.toNs, PIDs: sel.pids})
		if err != nil {
			return fmt.Errorf("analysing for causal chains: %w", err)
		}
		chains, analysed = rep.Chains, true
	}
	for _, c := range chains {
		if c.PID != 0 && !sel.wantPID(c.PID) {
			continue
		}
		tr, err := b.tr.chainTrack(c.Node, c.Severity)
		if err != nil {
			return err
		}
		args := []arg{strArg("id", c.ID), strArg("severity", c.Severity.String()), strArg("rule", c.Rule),
			strArg("root_cause", c.RootCause), strArg("fix", c.Fix)}
		if len(c.Timeline) > 0 {
			args = append(args, strArg("timeline", timelineText(c.Timeline)))
		}
		if analysed {
			args = append(args, strArg("source", "found by analysis at export"))
		}
		if c.Op != "" {
			args = append(args, strArg("op", c.Op))
		}
		if c.PID != 0 {
			args = append(args, uintArg("pid", uint64(c.PID)))
		}
		b.sl = slice{track: tr, ts: c.DetectedNs, name: c.Severity.String() + ": " + c.Summary,
			cat: "causal_chain", args: args, global: true}
		if err := b.out.slice(&b.sl); err != nil {
			return err
		}
	}
	return nil
}

func timelineText(tl []event.TimelineEntry) string {
	var sb strings.Builder
	for i, te := range tl {
		if i > 0 {
			sb.WriteByte('\n')
		}
		fmt.Fprintf(&sb, "%s [%s] %s", time.Unix(0, te.TimeNs).UTC().Format("15:04:05.000000"), te.Layer, te.Detail)
	}
	return sb.String()
}
