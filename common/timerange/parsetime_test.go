package timerange

import (
	"strings"
	"testing"
	"time"
)

// zone is a fixed non-UTC zone, so a test that mixed up local time and
// UTC would fail.
var zone = time.FixedZone("UTC+1", 3600)

var now = time.Date(2026, 11, 26, 15, 42, 30, 0, zone)

func TestParseTime(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
	}{
		{"15:40", time.Date(2026, 11, 26, 15, 40, 0, 0, zone)},
		{"9:05", time.Date(2026, 11, 26, 9, 5, 0, 0, zone)},
		{"15:40:05", time.Date(2026, 11, 26, 15, 40, 5, 0, zone)},
		{"15:40:05.25", time.Date(2026, 11, 26, 15, 40, 5, 250e6, zone)},
		{"23:59", time.Date(2026, 11, 26, 23, 59, 0, 0, zone)}, // later than now: still today
		{"2026-11-25", time.Date(2026, 11, 25, 0, 0, 0, 0, zone)},
		{"2026-11-25 15:40", time.Date(2026, 11, 25, 15, 40, 0, 0, zone)},
		{"2026-11-25 15:40:05", time.Date(2026, 11, 25, 15, 40, 5, 0, zone)},
		{"2026-11-25T15:40", time.Date(2026, 11, 25, 15, 40, 0, 0, zone)},
		{"2026-11-25T15:40:05.123456789", time.Date(2026, 11, 25, 15, 40, 5, 123456789, zone)},
		{"2026-11-25T15:40:05Z", time.Date(2026, 11, 25, 15, 40, 5, 0, time.UTC)},
		{"2026-11-25T15:40:05.5+05:30", time.Date(2026, 11, 25, 10, 10, 5, 500e6, time.UTC)},
		{"2026-11-25 15:40:05-07:00", time.Date(2026, 11, 25, 22, 40, 5, 0, time.UTC)},
		{"@1764171600", time.Unix(1764171600, 0)},
		{"@1764171600.5", time.Unix(1764171600, 500e6)},
		{"@1764171600.000000001", time.Unix(1764171600, 1)},
		{"1764171600123456789", time.Unix(0, 1764171600123456789)},
		{"  15:40  ", time.Date(2026, 11, 26, 15, 40, 0, 0, zone)},
	}
	for _, tt := range tests {
		got, err := ParseTime(tt.in, now)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

// Times without a zone take the clock's zone, and those with one keep
// their instant; both come back in the clock's zone for display.
func TestParseTimeLocation(t *testing.T) {
	for _, in := range []string{"15:40", "2026-11-25 15:40", "2026-11-25T15:40:05Z", "@1764171600", "1764171600123456789"} {
		got, err := ParseTime(in, now)
		if err != nil {
			t.Fatal(err)
		}
		if _, off := got.Zone(); off != 3600 && !strings.HasSuffix(in, "Z") {
			t.Errorf("ParseTime(%q) zone offset %d; want the clock's 3600", in, off)
		}
	}
}

func TestParseTimeErrors(t *testing.T) {
	tests := []struct{ in, why string }{
		{"", "empty"},
		{"25:00", "not a time"},
		{"15:60", "not a time"},
		{"3pm", "not a time"},
		{"yesterday", "not a time"},
		{"2026-13-01", "not a time"},
		{"2026-11-26 15", "not a time"},
		{"1540", "needs 19 digits; for seconds write @1540"},
		{"1764171600", "needs 19 digits"},
		{"99999999999999999999", "needs 19 digits"},
		{"9999999999999999999", "too large"},
		{"@", "after @ give Unix seconds"},
		{"@12x", "after @ give Unix seconds"},
		{"@-5", "after @ give Unix seconds"},
		{"@99999999999999999999", "too large"},
		{"@9223372036", "too large"},
		{"1600-01-01", "outside the years 1678 to 2261"},
		{"2300-01-01T00:00:00Z", "outside the years"},
	}
	for _, tt := range tests {
		_, err := ParseTime(tt.in, now)
		if err == nil {
			t.Errorf("ParseTime(%q) succeeded; want error containing %q", tt.in, tt.why)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, tt.why) || !strings.Contains(msg, TimeExamples) || strings.Contains(msg, "\n") {
			t.Errorf("ParseTime(%q) error = %q; want one line with %q and the examples", tt.in, msg, tt.why)
		}
	}
}
