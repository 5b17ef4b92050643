package tui

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"ingero.dev/common/hist"
)

// commas renders 1234567 as "1,234,567", as the spec's reports do.
func commas(n uint64) string { return hist.FormatCount(int64(n)) }

// formatRate keeps one decimal for slow ops, where it matters, and drops
// it for fast ones, where it is noise.
func formatRate(r float64) string {
	if r < 100 {
		return strconv.FormatFloat(r, 'f', 1, 64)
	}
	return commas(uint64(r + 0.5))
}

// formatBytes renders sizes in powers of 1024, as --max-db takes them.
func formatBytes(n int64) string {
	const units = "KMGTPE"
	if n < 1024 {
		return strconv.FormatInt(n, 10) + " B"
	}
	v, i := float64(n)/1024, 0
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	return strconv.FormatFloat(v, 'f', 1, 64) + " " + units[i:i+1] + "B"
}

func formatElapsed(d time.Duration) string { return d.Round(time.Second).String() }

// truncate cuts s to width visible characters, skipping ANSI escape
// sequences when counting and closing any colour it cut into.
func truncate(s string, width int) string {
	visible, cut := 0, false
	for i := 0; i < len(s); {
		if s[i] == '\x1b' {
			i = skipEscape(s, i)
			continue
		}
		if visible == width {
			s, cut = s[:i], true
			break
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		visible++
	}
	if cut && strings.Contains(s, "\x1b[") {
		s += ansiReset
	}
	return s
}

// visibleLen counts the characters a terminal shows, skipping ANSI escapes.
func visibleLen(s string) int {
	n := 0
	for i := 0; i < len(s); {
		if s[i] == '\x1b' {
			i = skipEscape(s, i)
			continue
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		n++
	}
	return n
}

// skipEscape returns the index just past the escape sequence at s[i].
func skipEscape(s string, i int) int {
	j := i + 1
	if j < len(s) && s[j] == '[' {
		for j++; j < len(s) && (s[j] < 0x40 || s[j] > 0x7e); j++ {
		}
	}
	return min(j+1, len(s))
}

// fit concatenates segments while the result stays within width and drops
// the rest whole, so that a narrow terminal loses trailing facts rather
// than showing a cut-off number. Each segment carries its own separator.
func fit(width int, segs ...string) string {
	var b strings.Builder
	used := 0
	for _, seg := range segs {
		n := visibleLen(seg)
		if used+n > width {
			break
		}
		b.WriteString(seg)
		used += n
	}
	return b.String()
}

// sanitize makes a name from the traced host safe to print on a terminal:
// a process may call itself "\x1b[2J", and its control characters and
// invalid bytes must not reach the screen as such.
func sanitize(s string) string {
	clean := true
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError || (r >= 0x80 && r < 0xa0) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError || (r >= 0x80 && r < 0xa0) {
			r = '?'
		}
		b.WriteRune(r)
	}
	return b.String()
}
