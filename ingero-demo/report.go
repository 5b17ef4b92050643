package demo

import (
	"fmt"
	"io"
	"sort"
	"text/tabwriter"
	"time"

	"ingero.dev/common/event"
	"ingero.dev/common/hist"
)

type result struct {
	events               int
	dbFile, streamFile   string
	dbBytes, streamBytes int64
	dbWrite, streamWrite time.Duration
	dbCheck, streamCheck string
	ops                  *opTable
}

type opRow struct {
	name  string
	layer string
	h     hist.Histogram
}

type opTable struct{ rows map[event.Key]*opRow }

func newOpTable() *opTable { return &opTable{rows: map[event.Key]*opRow{}} }

func (t *opTable) observe(e *event.Event) {
	r := t.rows[e.Key()]
	if r == nil {
		r = &opRow{name: e.OpName(), layer: e.Source.Layer()}
		t.rows[e.Key()] = r
	}
	r.h.Record(e.DurNs)
}

func (r *result) print(w io.Writer) {
	perSec := func(d time.Duration) string {
		return fmt.Sprintf("%.2fM events/s", float64(r.events)/d.Seconds()/1e6)
	}
	fmt.Fprintf(w, "Recorded %d sample events:\n", r.events)
	fmt.Fprintf(w, "  database  %s\n    %d bytes, %.1f B/event, written at %s\n    %s\n",
		r.dbFile, r.dbBytes, float64(r.dbBytes)/float64(r.events), perSec(r.dbWrite), r.dbCheck)
	fmt.Fprintf(w, "  stream    %s\n    %d bytes, %.1f B/event, written at %s\n    %s\n",
		r.streamFile, r.streamBytes, float64(r.streamBytes)/float64(r.events), perSec(r.streamWrite), r.streamCheck)
	fmt.Fprintln(w, "\nPer-op statistics, read back from the database:")
	rows := make([]*opRow, 0, len(r.ops.rows))
	for _, row := range r.ops.rows {
		rows = append(rows, row)
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].h.Count() > rows[j].h.Count() })
	tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "  LAYER\tOP\tCALLS\tP50\tP95\tP99")
	for _, row := range rows {
		if row.h.Max() == 0 {
			// Launches are probed entry-only: there is no duration to show.
			fmt.Fprintf(tw, "  %s\t%s\t%d\t-\t-\t-\n", row.layer, row.name, row.h.Count())
			continue
		}
		fmt.Fprintf(tw, "  %s\t%s\t%d\t%s\t%s\t%s\n", row.layer, row.name, row.h.Count(),
			hist.FormatNs(row.h.Quantile(0.5)), hist.FormatNs(row.h.Quantile(0.95)), hist.FormatNs(row.h.Quantile(0.99)))
	}
	tw.Flush()
}
