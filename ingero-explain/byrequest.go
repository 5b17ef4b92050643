package explain

import (
	"context"

	"ingero.dev/common/report"
	"ingero.dev/common/source"
)

// byRequestReport prints the per-request summary (common/report) of the
// window, in text or JSON.
func (c *config) byRequestReport(ctx context.Context, src source.Source, req request) error {
	br, err := report.NewByRequest(ctx, src, source.Filter{FromNs: req.opts.FromNs, ToNs: req.opts.ToNs, PIDs: req.opts.PIDs})
	if err != nil {
		return err
	}
	if c.json {
		return report.WriteJSON(c.stdio.Out, br)
	}
	return report.WriteByRequestText(c.stdio.Out, br)
}
