package tui

import (
	"fmt"
	"io"
	"strings"

	"ingero.dev/common/event"
)

// ANSI sequences. clearHome first homes the cursor and then clears, so a
// redraw never scrolls.
const (
	clearHome = "\x1b[H\x1b[2J"
	ansiReset = "\x1b[0m"
	ansiBold  = "\x1b[1m"
	ansiRed   = "\x1b[31m"
	ansiGreen = "\x1b[32m"
	ansiYel   = "\x1b[33m"
	ansiDim   = "\x1b[2m"
)

// MinWidth is the narrowest layout RenderTTY draws; a narrower terminal
// gets this width and wraps.
const MinWidth = 40

func paint(color, s string) string { return color + s + ansiReset }

// screen collects lines; each is cut to the width on output as a last
// resort, after the layout has already dropped what does not fit.
type screen struct {
	lines []string
	width int
}

func (s *screen) add(line string) { s.lines = append(s.lines, line) }

func (s *screen) rule(title string) {
	if title == "" {
		s.add(strings.Repeat("-", s.width))
		return
	}
	s.add("-- " + paint(ansiBold, title) + " " + strings.Repeat("-", max(s.width-4-len(title), 0)))
}

// RenderTTY draws the full view for a terminal of the given width: a
// clear-and-home, the five sections and the footer. No line is wider than
// width (or MinWidth); columns and trailing facts that do not fit are
// dropped whole rather than cut.
func RenderTTY(w io.Writer, m *Model, width int) error {
	s := &screen{width: max(width, MinWidth)}
	s.add(fit(s.width, paint(ansiBold, "ingero trace"), "  "+m.Now.Format("15:04:05"), "  elapsed "+elapsedText(m)))
	s.rule("System Context")
	renderSystem(s, &m.System)
	t := newTable(m, s.width)
	for sec := range numSections {
		s.rule(Section(sec).Title())
		rows := m.Sections[sec]
		if len(rows) == 0 {
			s.add(" " + paint(ansiDim, "no events yet"))
			continue
		}
		s.add(t.header())
		for i := range rows {
			s.add(t.row(&rows[i]))
		}
	}
	s.rule("")
	renderFooter(s, m)

	var b strings.Builder
	b.WriteString(clearHome)
	for _, l := range s.lines {
		b.WriteString(truncate(strings.TrimRight(l, " "), s.width))
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func elapsedText(m *Model) string {
	if m.Duration > 0 {
		return formatElapsed(m.Elapsed) + " of " + formatElapsed(m.Duration)
	}
	return formatElapsed(m.Elapsed) + " (Ctrl-C stops)"
}

func renderFooter(s *screen, m *Model) {
	drops := fmt.Sprintf("  drops: kernel %s  user %s  sampled-out %s",
		commas(m.Drops.KernelDrops), commas(m.Drops.UserDrops), commas(m.Drops.SampledOut))
	if m.Drops.KernelDrops+m.Drops.UserDrops > 0 {
		drops = paint(ansiRed, drops)
	}
	s.add(fit(s.width, " events/s "+formatRate(m.EventsPerSec), "  total "+commas(m.TotalEvents), drops))
	if m.DBPath == "" {
		s.add(" db: not recording (--record=false)")
	} else {
		s.add(fit(s.width, " db: "+sanitize(m.DBPath), "  "+formatBytes(m.DBBytes)))
	}
	segs := []string{" targets:"}
	if len(m.Targets) == 0 {
		segs = append(segs, " waiting for CUDA processes")
	}
	for i, tg := range m.Targets {
		sep := " "
		if i > 0 {
			sep = ", "
		}
		segs = append(segs, fmt.Sprintf("%s%d %s", sep, tg.PID, sanitize(tg.Name)))
	}
	line := fit(s.width, segs...)
	if shown := strings.Count(line, ",") + 1; len(m.Targets) > 1 && shown < len(m.Targets) {
		more := fmt.Sprintf(" +%d more", len(m.Targets)-shown)
		line = fit(s.width-len(more), segs...) + more
		line = fit(s.width, line)
	}
	s.add(line)
	if !m.LaunchLatency && hasLaunchRows(m) {
		s.add(" " + paint(ansiDim, "launches show count and rate; --launch-latency adds p50/p95/p99"))
	}
}

func hasLaunchRows(m *Model) bool {
	for _, rows := range m.Sections {
		for _, r := range rows {
			if oi, ok := event.LookupOp(r.Source, r.Op); ok && oi.Class == event.ClassLaunch {
				return true
			}
		}
	}
	return false
}
