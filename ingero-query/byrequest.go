package query

import (
	"context"
	"encoding/json"
	"fmt"

	"ingero.dev/common/cli"
	"ingero.dev/common/recording"
	"ingero.dev/common/report"
	"ingero.dev/common/source"
)

// appendByRequest follows the events with the per-request summary of the
// same window and processes: the table after the event table, or with
// --json one last line {"by_request": …} (docs/json.md).
func (c *config) appendByRequest(ctx context.Context, rec *recording.Recording) error {
	rng, err := c.window.Resolve(c.now())
	if err != nil {
		return err
	}
	pids, _ := cli.ParsePIDs(c.pids) // checked already
	f := source.Filter{ToNs: rng.To.UnixNano(), PIDs: pids}
	if !rng.From.IsZero() {
		f.FromNs = rng.From.UnixNano()
	}
	br, err := report.NewByRequest(ctx, rec.Source, f)
	if err != nil {
		return err
	}
	if c.json {
		b, err := json.Marshal(struct {
			ByRequest *report.ByRequest `json:"by_request"`
		}{br})
		if err != nil {
			return fmt.Errorf("encoding the per-request summary: %w", err)
		}
		_, err = fmt.Fprintf(c.stdio.Out, "%s\n", b)
		return err
	}
	fmt.Fprintln(c.stdio.Out)
	return report.WriteByRequestText(c.stdio.Out, br)
}
