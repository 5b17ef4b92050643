package timerange

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// DurationExamples is appended to every duration error so the user sees
// what valid input looks like.
const DurationExamples = "e.g. 90s, 5m, 1h30m, 2d, 3d12h, 1w"

const (
	day  = 24 * time.Hour
	week = 7 * day
)

// units lists every unit name with its length. Order matters only for
// lookup speed; the descending-order rule compares lengths, so "us" and
// "µs" count as the same unit.
var units = map[string]time.Duration{
	"w":  week,
	"d":  day,
	"h":  time.Hour,
	"m":  time.Minute,
	"s":  time.Second,
	"ms": time.Millisecond,
	"us": time.Microsecond,
	"µs": time.Microsecond, // U+00B5 micro sign, as Go prints it
	"μs": time.Microsecond, // U+03BC Greek mu, as some keyboards type it
	"ns": time.Nanosecond,
}

var errOverflow = errors.New("too large")

// ParseDuration parses a duration such as 2d, 1h30m or 500ms (see the
// package comment for the syntax). Negative durations are rejected.
func ParseDuration(s string) (time.Duration, error) {
	d, err := parseDuration(strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("invalid duration %q: %w (%s)", s, err, DurationExamples)
	}
	return d, nil
}

// durationReason is ParseDuration for flag values: the flag package
// already names the value, so the error gives only the reason.
func durationReason(s string) (time.Duration, error) {
	d, err := parseDuration(strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("%w (%s)", err, DurationExamples)
	}
	return d, nil
}

func parseDuration(s string) (time.Duration, error) {
	switch {
	case s == "":
		return 0, errors.New("empty")
	case s == "0":
		return 0, nil
	case s[0] == '-':
		return 0, errors.New("negative durations are not allowed")
	}
	var total time.Duration
	prevUnit := time.Duration(math.MaxInt64)
	for s != "" {
		num, rest := leadingNumber(s)
		if num == "" {
			return 0, fmt.Errorf("expected a number at %q", s)
		}
		name, rest := leadingUnit(rest)
		if name == "" {
			return 0, fmt.Errorf("missing unit after %s", num)
		}
		unit, ok := units[name]
		if !ok {
			return 0, fmt.Errorf("unknown unit %q", name)
		}
		if unit >= prevUnit {
			return 0, fmt.Errorf("unit %q out of order: give each unit once, largest first", name)
		}
		prevUnit = unit
		part, err := scale(num, unit)
		if err != nil {
			return 0, err
		}
		if total > math.MaxInt64-part {
			return 0, errOverflow
		}
		total += part
		s = rest
	}
	return total, nil
}

// leadingNumber splits off digits with an optional fraction.
func leadingNumber(s string) (num, rest string) {
	i, dot := 0, false
	for i < len(s) && (isDigit(s[i]) || (s[i] == '.' && !dot)) {
		dot = dot || s[i] == '.'
		i++
	}
	if s[:i] == "." {
		return "", s
	}
	return s[:i], s[i:]
}

// leadingUnit splits off everything up to the next number.
func leadingUnit(s string) (name, rest string) {
	i := 0
	for i < len(s) && !isDigit(s[i]) && s[i] != '.' {
		i++
	}
	return s[:i], s[i:]
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// scale returns num×unit exactly for the integer part; the fraction is
// rounded to the nearest nanosecond.
func scale(num string, unit time.Duration) (time.Duration, error) {
	intPart, frac, _ := strings.Cut(num, ".")
	var n int64
	for _, c := range []byte(intPart) {
		if n > (math.MaxInt64-int64(c-'0'))/10 {
			return 0, errOverflow
		}
		n = n*10 + int64(c-'0')
	}
	if n > math.MaxInt64/int64(unit) {
		return 0, errOverflow
	}
	d := time.Duration(n) * unit
	if frac == "" {
		return d, nil
	}
	// Digits beyond the 18th cannot change a nanosecond of any unit here.
	if len(frac) > 18 {
		frac = frac[:18]
	}
	var f, div float64 = 0, 1
	for _, c := range []byte(frac) {
		f, div = f*10+float64(c-'0'), div*10
	}
	extra := time.Duration(math.Round(f / div * float64(unit)))
	if d > math.MaxInt64-extra {
		return 0, errOverflow
	}
	return d + extra, nil
}

// FormatDuration writes d in the syntax ParseDuration reads, with days as
// the largest unit: 1d12h, 1h30m, 90s → 1m30s, 500ms, 1.5µs.
func FormatDuration(d time.Duration) string {
	if d < 0 {
		if d == math.MinInt64 {
			return "-" + FormatDuration(math.MaxInt64)
		}
		return "-" + FormatDuration(-d)
	}
	if d < time.Second {
		return d.String() // 0s, 500ms, 1.5µs, 12ns
	}
	var b strings.Builder
	for _, u := range []struct {
		name string
		d    time.Duration
	}{{"d", day}, {"h", time.Hour}, {"m", time.Minute}} {
		if n := d / u.d; n > 0 {
			fmt.Fprintf(&b, "%d%s", n, u.name)
			d -= n * u.d
		}
	}
	if d > 0 {
		sec := fmt.Sprintf("%d.%09d", d/time.Second, d%time.Second)
		b.WriteString(strings.TrimSuffix(strings.TrimRight(sec, "0"), "."))
		b.WriteString("s")
	}
	return b.String()
}
