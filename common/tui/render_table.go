package tui

import (
	"fmt"
	"strings"

	"ingero.dev/common/hist"
)

// column is one numeric column of the op tables. When the terminal is too
// narrow for all of them, the lowest-priority columns go first; the op
// name and count always stay.
type column struct {
	title    string
	width    int
	priority int // lower stays longer
	cell     func(r *Row) string
}

var columns = []column{
	{"count", 10, 0, func(r *Row) string { return commas(r.Count) }},
	{"rate/s", 9, 3, func(r *Row) string { return formatRate(r.Rate) }},
	{"p50", 7, 1, latencyCell(func(r *Row) int64 { return r.P50 })},
	{"p95", 7, 4, latencyCell(func(r *Row) int64 { return r.P95 })},
	{"p99", 7, 2, latencyCell(func(r *Row) int64 { return r.P99 })},
	{"anom", 5, 5, func(r *Row) string {
		if !r.Latency {
			return "-"
		}
		return commas(r.Anomalies)
	}},
}

func latencyCell(get func(*Row) int64) func(*Row) string {
	return func(r *Row) string {
		if !r.Latency {
			return "-"
		}
		return hist.FormatNs(get(r))
	}
}

// table is the layout shared by every section, so columns line up.
type table struct {
	width int
	nameW int
	cols  []column
	used  int // visible width of name and columns
}

// maxNameWidth fits every registered CUDA op name; longer names are cut
// with a trailing "~".
const maxNameWidth = 24

func newTable(m *Model, width int) *table {
	t := &table{width: width, nameW: len("op")}
	for _, rows := range m.Sections {
		for _, r := range rows {
			t.nameW = max(t.nameW, len(r.Name))
		}
	}
	t.nameW = min(t.nameW, maxNameWidth)
	t.used = 1 + t.nameW
	keep := make([]bool, len(columns))
	for prio := 0; prio <= 5; prio++ {
		for i, c := range columns {
			if c.priority == prio && t.used+1+c.width <= width {
				keep[i] = true
				t.used += 1 + c.width
			}
		}
	}
	for i, c := range columns {
		if keep[i] {
			t.cols = append(t.cols, c)
		}
	}
	return t
}

func (t *table) line(name string, cells []string, extra []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, " %-*s", t.nameW, name)
	for i, c := range t.cols {
		fmt.Fprintf(&b, " %*s", c.width, cells[i])
	}
	segs := make([]string, len(extra))
	for i, e := range extra {
		segs[i] = " " + e
		if i == 0 {
			segs[i] = "  " + e
		}
	}
	return b.String() + fit(t.width-t.used, segs...)
}

func (t *table) header() string {
	titles := make([]string, len(t.cols))
	for i, c := range t.cols {
		titles[i] = c.title
	}
	return t.line("op", titles, []string{"flags"})
}

func (t *table) row(r *Row) string {
	cells := make([]string, len(t.cols))
	for i, c := range t.cols {
		cells[i] = c.cell(r)
	}
	var flags []string
	if r.anomalyFlag() {
		flags = append(flags, paint(ansiYel, "anom"))
	}
	if r.tailFlag() {
		flags = append(flags, paint(ansiYel, "tail"))
	}
	if r.errorFlag() {
		flags = append(flags, paint(ansiRed, "err:"+commas(r.Errors)))
	}
	if r.TopPeer != "" {
		flags = append(flags, fmt.Sprintf("top peer %s (%s)", sanitize(r.TopPeer), commas(r.TopPeerCount)))
	}
	name := sanitize(r.Name)
	if len(name) > t.nameW {
		name = name[:t.nameW-1] + "~"
	}
	return t.line(name, cells, flags)
}
