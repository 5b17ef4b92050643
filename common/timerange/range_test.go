package timerange

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"ingero.dev/common/cli"
)

func at(day, hour, min, sec int) time.Time { return time.Date(2026, 11, day, hour, min, sec, 0, zone) }

func TestResolve(t *testing.T) {
	const def = 5 * time.Minute
	tests := []struct {
		name     string
		spec     Spec
		def      time.Duration
		from, to time.Time
	}{
		{"default window", Spec{}, def, now.Add(-def), now},
		{"no default: open start", Spec{}, 0, time.Time{}, now},
		{"since", Spec{Since: "2d"}, def, now.Add(-48 * time.Hour), now},
		{"since combined units", Spec{Since: "1h30m"}, def, now.Add(-90 * time.Minute), now},
		{"from and to today", Spec{From: "15:40", To: "15:41"}, def, at(26, 15, 40, 0), at(26, 15, 41, 0)},
		{"from alone ends now", Spec{From: "15:40"}, def, at(26, 15, 40, 0), now},
		{"to in the future is allowed", Spec{From: "15:40", To: "15:45"}, def, at(26, 15, 40, 0), at(26, 15, 45, 0)},
		{"to alone: default window before it", Spec{To: "15:00"}, def, at(26, 14, 55, 0), at(26, 15, 0, 0)},
		{"to alone, no default", Spec{To: "15:00"}, 0, time.Time{}, at(26, 15, 0, 0)},
		{"since before to", Spec{Since: "1h", To: "15:00"}, def, at(26, 14, 0, 0), at(26, 15, 0, 0)},
		{"dated from across midnight", Spec{From: "2026-11-25 23:50", To: "00:10"}, def, at(25, 23, 50, 0), at(26, 0, 10, 0)},
		{"zoned from", Spec{From: "2026-11-26T14:00:00Z"}, def, at(26, 15, 0, 0), now},
		{"since before the earliest time clamps", Spec{Since: "200w", To: "1680-01-01"}, def, time.Unix(0, math.MinInt64), time.Date(1680, 1, 1, 0, 0, 0, 0, zone)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := tt.spec.Resolve(now, tt.def)
			if err != nil {
				t.Fatal(err)
			}
			if !r.From.Equal(tt.from) || !r.To.Equal(tt.to) {
				t.Errorf("got %v .. %v; want %v .. %v", r.From, r.To, tt.from, tt.to)
			}
		})
	}
}

func TestResolveErrors(t *testing.T) {
	tests := []struct {
		name string
		spec Spec
		now  time.Time
		why  string
	}{
		{"since with from", Spec{Since: "1h", From: "15:00"}, now, "--since and --from cannot be combined; use --since 2d"},
		{"bad since", Spec{Since: "5"}, now, `--since "5": missing unit`},
		{"zero since", Spec{Since: "0s"}, now, "--since must be longer than zero"},
		{"bad from", Spec{From: "3pm"}, now, `--from "3pm": not a time`},
		{"bad to", Spec{To: "noon"}, now, `--to "noon": not a time`},
		{"from after to", Spec{From: "15:41", To: "15:40"}, now, "must be before --to"},
		{"from equals to", Spec{From: "15:40", To: "15:40"}, now, "must be before --to"},
		{"from in the future", Spec{From: "2026-11-27 10:00"}, now, "is in the future"},
		{"time of day after midnight", Spec{From: "23:50"}, at(27, 0, 10, 0), `--from 23:50 is later than now (00:10:00) and a time of day means today; for yesterday write --from "2026-11-26 23:50:00"`},
		{"time of day with to", Spec{From: "23:50", To: "23:55"}, at(27, 0, 10, 0), "for yesterday write"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.spec.Resolve(tt.now, 5*time.Minute)
			var ue *cli.UsageError
			if !errors.As(err, &ue) {
				t.Fatalf("error %v is not a usage error", err)
			}
			if msg := err.Error(); !strings.Contains(msg, tt.why) || strings.Contains(msg, "\n") {
				t.Errorf("error = %q; want one line containing %q", msg, tt.why)
			}
		})
	}
}

func TestRangeContainsBothEnds(t *testing.T) {
	r := Range{From: at(26, 15, 40, 0), To: at(26, 15, 45, 0)}
	for _, tt := range []struct {
		t    time.Time
		want bool
	}{
		{r.From, true},
		{r.To, true},
		{r.From.Add(-1), false},
		{r.To.Add(1), false},
		{at(26, 15, 42, 0), true},
	} {
		if got := r.Contains(tt.t); got != tt.want {
			t.Errorf("Contains(%v) = %v", tt.t, got)
		}
	}
	open := Range{To: r.To}
	if !open.Contains(time.Unix(0, 1)) || open.Contains(r.To.Add(1)) {
		t.Error("an open start must contain everything up to To")
	}
}

func TestRangeUnixNanos(t *testing.T) {
	r := Range{From: time.Unix(0, 100), To: time.Unix(0, 200)}
	if from, to := r.UnixNanos(); from != 100 || to != 200 {
		t.Errorf("UnixNanos = %d, %d", from, to)
	}
	if from, _ := (Range{To: r.To}).UnixNanos(); from != math.MinInt64 {
		t.Errorf("open start = %d; want MinInt64", from)
	}
}

func TestRangeString(t *testing.T) {
	tests := []struct {
		r    Range
		want string
	}{
		{Range{From: at(26, 15, 40, 0), To: at(26, 15, 45, 0)}, "2026-11-26 15:40:00 → 15:45:00 (5m)"},
		{Range{From: at(25, 23, 0, 0), To: at(26, 1, 30, 0)}, "2026-11-25 23:00:00 → 2026-11-26 01:30:00 (2h30m)"},
		{Range{To: at(26, 1, 30, 0)}, "… → 2026-11-26 01:30:00"},
	}
	for _, tt := range tests {
		if got := tt.r.String(); got != tt.want {
			t.Errorf("String() = %q; want %q", got, tt.want)
		}
	}
}
