package timerange

import (
	"fmt"
	"math"
	"time"

	"ingero.dev/common/cli"
)

// Range is a closed interval of wall-clock time, From ≤ t ≤ To. A zero
// From means no lower bound (all recorded history up to To).
type Range struct {
	From, To time.Time
}

// Contains reports whether t lies in the range, both ends included.
func (r Range) Contains(t time.Time) bool {
	return (r.From.IsZero() || !t.Before(r.From)) && !t.After(r.To)
}

// UnixNanos returns the bounds as Unix nanoseconds for SQL such as
// "ts_ns BETWEEN ? AND ?"; an open start is math.MinInt64.
func (r Range) UnixNanos() (from, to int64) {
	from = math.MinInt64
	if !r.From.IsZero() {
		from = r.From.UnixNano()
	}
	return from, r.To.UnixNano()
}

// String describes the range for report headers, with the date shown
// once when both ends fall on the same day.
func (r Range) String() string {
	const full = "2006-01-02 15:04:05"
	if r.From.IsZero() {
		return "… → " + r.To.Format(full)
	}
	end := r.To.Format(full)
	if sameDay(r.From, r.To) {
		end = r.To.Format("15:04:05")
	}
	return fmt.Sprintf("%s → %s (%s)", r.From.Format(full), end, FormatDuration(r.To.Sub(r.From)))
}

func sameDay(a, b time.Time) bool {
	y1, m1, d1 := a.Date()
	y2, m2, d2 := b.Date()
	return y1 == y2 && m1 == m2 && d1 == d2
}

// Spec is a time range as the user wrote it: the raw --since, --from and
// --to values, each empty when not given. It is resolved against a clock
// only when the command runs, so tests and offline analysis can choose
// what "now" means.
type Spec struct {
	Since, From, To string
}

// Resolve turns the spec into a Range. now anchors every relative value:
// it is the wall clock for live data, but a command reading an old
// recording may pass the time of its newest event instead. With neither
// --since nor --from the range is the defaultSince before --to (or now);
// a defaultSince of 0 leaves the start open. Errors are *cli.UsageError,
// so they end the command with exit code 2.
//
// The rules: --since and --from exclude each other; --to alone ends the
// default window at that time; --since with --to is the span before --to;
// the start must come before the end and not after now. A bare time of
// day is always today, so "--from 23:50" just after midnight is an error
// that suggests yesterday's date, rather than a silent guess.
func (s Spec) Resolve(now time.Time, defaultSince time.Duration) (Range, error) {
	if s.Since != "" && s.From != "" {
		return Range{}, cli.Usagef("--since and --from cannot be combined; use --since 2d, or --from 15:40 [--to 15:45]")
	}
	to := now
	if s.To != "" {
		t, _, err := parseTime(s.To, now)
		if err != nil {
			return Range{}, cli.Usagef("--to %q: %w", s.To, err)
		}
		to = t
	}
	span := defaultSince
	if s.Since != "" {
		d, err := durationReason(s.Since)
		if err != nil {
			return Range{}, cli.Usagef("--since %q: %w", s.Since, err)
		}
		if d <= 0 {
			return Range{}, cli.Usagef("--since must be longer than zero (%s)", DurationExamples)
		}
		span = d
	}
	if s.From == "" {
		if span <= 0 {
			return Range{To: to}, nil
		}
		return Range{From: startBefore(to, span), To: to}, nil
	}
	from, timeOfDay, err := parseTime(s.From, now)
	if err != nil {
		return Range{}, cli.Usagef("--from %q: %w", s.From, err)
	}
	if err := checkStart(s, from, to, now, timeOfDay); err != nil {
		return Range{}, err
	}
	return Range{From: from, To: to}, nil
}

// startBefore is to−span, clamped at the earliest instant Unix
// nanoseconds can hold instead of wrapping around.
func startBefore(to time.Time, span time.Duration) time.Time {
	if to.Sub(minTime) <= span {
		return minTime.In(to.Location())
	}
	return to.Add(-span)
}

// checkStart rejects a start that can hold no recorded data: one after
// now, or not before the end.
func checkStart(s Spec, from, to, now time.Time, timeOfDay bool) error {
	const full = "2006-01-02 15:04:05"
	switch {
	case from.After(now) && timeOfDay:
		return cli.Usagef("--from %s is later than now (%s) and a time of day means today; for yesterday write --from %q",
			s.From, now.Format("15:04:05"), from.AddDate(0, 0, -1).Format(full))
	case from.After(now):
		return cli.Usagef("--from %s is in the future (now is %s)", from.Format(full), now.Format(full))
	case !from.Before(to):
		return cli.Usagef("--from (%s) must be before --to (%s)", from.Format(full), to.Format(full))
	}
	return nil
}
