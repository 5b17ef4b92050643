package tui

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"ingero.dev/common/hist"
)

// RenderPlain prints one block per interval for a stdout that is not a
// terminal: no escape codes, one fact per line, key=value fields, so that
// `grep '^ops cudaMalloc '` follows one op over time. Launch rows without
// --launch-latency carry no percentiles or anomaly counts.
func RenderPlain(w io.Writer, m *Model) error {
	var b strings.Builder
	fmt.Fprintf(&b, "--- ingero trace %s elapsed=%s", m.Now.Format(time.RFC3339), formatElapsed(m.Elapsed))
	if m.Duration > 0 {
		fmt.Fprintf(&b, " duration=%s", formatElapsed(m.Duration))
	}
	b.WriteByte('\n')

	if sys := &m.System; sys.Valid {
		s := &sys.Snapshot
		fmt.Fprintf(&b, "system cpu=%.1f%% mem=%.1f%% mem_avail_mb=%d swap_used_mb=%d load1=%.2f\n",
			s.CPUPct, s.MemPct, s.MemAvailMB, s.SwapUsedMB, s.Load1)
	} else {
		b.WriteString("system waiting for the first snapshot\n")
	}

	rows := 0
	for sec := range numSections {
		for i := range m.Sections[sec] {
			plainRow(&b, &m.Sections[sec][i], Section(sec))
			rows++
		}
	}
	if rows == 0 {
		b.WriteString("ops no events yet\n")
	}

	fmt.Fprintf(&b, "events rate=%s/s total=%d kernel_drops=%d user_drops=%d sampled_out=%d\n",
		strconv.FormatFloat(m.EventsPerSec, 'f', 1, 64), m.TotalEvents,
		m.Drops.KernelDrops, m.Drops.UserDrops, m.Drops.SampledOut)
	if m.DBPath == "" {
		b.WriteString("db recording=off\n")
	} else {
		fmt.Fprintf(&b, "db path=%s bytes=%d\n", strconv.Quote(m.DBPath), m.DBBytes)
	}
	b.WriteString("targets")
	if len(m.Targets) == 0 {
		b.WriteString(" none yet")
	}
	for _, t := range m.Targets {
		fmt.Fprintf(&b, " %d:%s", t.PID, strconv.Quote(t.Name))
	}
	b.WriteByte('\n')
	_, err := io.WriteString(w, b.String())
	return err
}

func plainRow(b *strings.Builder, r *Row, sec Section) {
	fmt.Fprintf(b, "ops %s section=%s count=%d rate=%s/s", sanitize(r.Name), sectionKeys[sec], r.Count,
		strconv.FormatFloat(r.Rate, 'f', 1, 64))
	if r.Latency {
		fmt.Fprintf(b, " p50=%s p95=%s p99=%s anomalies=%d", hist.FormatNs(r.P50), hist.FormatNs(r.P95), hist.FormatNs(r.P99), r.Anomalies)
	}
	fmt.Fprintf(b, " errors=%d", r.Errors)
	var flags []string
	if r.anomalyFlag() {
		flags = append(flags, "anomaly")
	}
	if r.tailFlag() {
		flags = append(flags, "tail")
	}
	if r.errorFlag() {
		flags = append(flags, "errors")
	}
	if len(flags) > 0 {
		fmt.Fprintf(b, " flags=%s", strings.Join(flags, ","))
	}
	if r.TopPeer != "" {
		fmt.Fprintf(b, " top_peer=%s top_peer_count=%d", strconv.Quote(r.TopPeer), r.TopPeerCount)
	}
	b.WriteByte('\n')
}
