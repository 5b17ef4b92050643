package query

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"text/tabwriter"
	"time"

	"ingero.dev/common/callsite"
	"ingero.dev/common/cli"
	"ingero.dev/common/recording"
	"ingero.dev/common/source"
)

// siteJSON is one --stacks --json line.
type siteJSON struct {
	Site     string   `json:"site"`
	File     string   `json:"file,omitempty"`
	Line     int      `json:"line,omitempty"`
	Function string   `json:"function,omitempty"`
	Module   string   `json:"module,omitempty"`
	Lang     string   `json:"lang,omitempty"`
	Calls    int64    `json:"calls"`
	TotalNs  int64    `json:"total_ns"`
	MaxNs    int64    `json:"max_ns"`
	Ops      []string `json:"ops"`
	StackID  string   `json:"stack_id"`
}

// listCallSites ranks where the matching calls were made from.
func (c *config) listCallSites(ctx context.Context, rec *recording.Recording) error {
	rng, err := c.window.Resolve(c.now())
	if err != nil {
		return err
	}
	pids, _ := cli.ParsePIDs(c.pids) // checked already
	ops, _ := parseOps(c.ops)
	f := source.Filter{ToNs: rng.To.UnixNano(), PIDs: pids, Ops: ops}
	if !rng.From.IsZero() {
		f.FromNs = rng.From.UnixNano()
	}
	n := c.limit
	if n == 0 {
		n = math.MaxInt
	}
	top, cnt, err := callsite.Of(ctx, rec.Source, f, n)
	if err != nil {
		return err
	}
	if c.json {
		enc := json.NewEncoder(c.stdio.Out)
		for _, u := range top {
			err := enc.Encode(siteJSON{Site: u.Site, File: u.Frame.File, Line: u.Frame.Line, Function: u.Frame.Symbol,
				Module: u.Frame.Module, Lang: u.Frame.Lang, Calls: u.Calls, TotalNs: u.TotalNs, MaxNs: u.MaxNs,
				Ops: u.Ops, StackID: fmt.Sprintf("0x%x", u.StackID)})
			if err != nil {
				return err
			}
		}
		return nil
	}
	if len(top) > 0 {
		tw := tabwriter.NewWriter(c.stdio.Out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "CALLS\tTOTAL\tMAX\tOPS\tCALL SITE")
		for _, u := range top {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", u.Calls, time.Duration(u.TotalNs), time.Duration(u.MaxNs),
				strings.Join(u.Ops, ","), u.Site)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	switch {
	case cnt.Stacked == 0 && cnt.Unstacked == 0:
		fmt.Fprintln(c.stdio.Out, "no events match: widen --since, or drop --pid/--op")
	case cnt.Stacked == 0:
		fmt.Fprintf(c.stdio.Out, "none of the %d matching events has a call stack: record with 'ingero trace --stack'\n", cnt.Unstacked)
	default:
		fmt.Fprintf(c.stdio.Out, "%d call sites of %d events with a stack", len(top), cnt.Stacked)
		if cnt.Unstacked > 0 {
			fmt.Fprintf(c.stdio.Out, " (%d more without one: host and IO events, or recorded without --stack)", cnt.Unstacked)
		}
		fmt.Fprintln(c.stdio.Out)
	}
	return nil
}
