package explain

import (
	"io"

	"ingero.dev/common/report"
)

// The --json shapes are a contract (docs/json.md) kept in common/report,
// which mcp and the dashboard serve too.

func writeReportJSON(w io.Writer, v *view) error {
	c := report.NewChains(v.rep, v.labels)
	if v.hits != nil {
		c.SetHits(v.hits)
	}
	return report.WriteJSON(w, c)
}

func writePerProcessJSON(w io.Writer, v *view) error {
	return report.WriteJSON(w, report.NewPerProcess(v.rep))
}
