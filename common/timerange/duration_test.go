package timerange

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	const ns, us, ms, s, m, h = time.Nanosecond, time.Microsecond, time.Millisecond, time.Second, time.Minute, time.Hour
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"2d", 48 * h},
		{"1h30m", 90 * m},
		{"1w", 7 * 24 * h},
		{"3d12h", 84 * h},
		{"5m", 5 * m},
		{"90s", 90 * s},
		{"500ms", 500 * ms},
		{"250us", 250 * us},
		{"250µs", 250 * us},
		{"250μs", 250 * us},
		{"12ns", 12 * ns},
		{"1w2d3h4m5s6ms7us8ns", 9*24*h + 3*h + 4*m + 5*s + 6*ms + 7*us + 8*ns},
		{"1.5h", 90 * m},
		{"0.5s", 500 * ms},
		{"2h45m30.25s", 2*h + 45*m + 30*s + 250*ms},
		{"1.000000001s", s + ns},
		{"0", 0},
		{"0s", 0},
		{" 5m ", 5 * m},
		{"15250w", 15250 * 7 * 24 * h},
		{"9223372036854775807ns", math.MaxInt64},
	}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestParseDurationErrors(t *testing.T) {
	tests := []struct{ in, why string }{
		{"", "empty"},
		{"   ", "empty"},
		{"5", "missing unit after 5"},
		{"1h30", "missing unit after 30"},
		{"-5m", "negative"},
		{"+5m", "expected a number"},
		{"5x", `unknown unit "x"`},
		{"5M", `unknown unit "M"`},
		{"1h 30m", `unknown unit "h "`},
		{"h", "expected a number"},
		{".h", "expected a number"},
		{"30m1h", "out of order"},
		{"1h1h", "out of order"},
		{"1us1µs", "out of order"},
		{"15251w", "too large"},
		{"9223372036854775808ns", "too large"},
		{"99999999999999999999s", "too large"},
		{"15250w1w", "out of order"},
		{"15250w6d", "too large"},
	}
	for _, tt := range tests {
		_, err := ParseDuration(tt.in)
		if err == nil {
			t.Errorf("ParseDuration(%q) succeeded; want error containing %q", tt.in, tt.why)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, tt.why) || !strings.Contains(msg, DurationExamples) || strings.Contains(msg, "\n") {
			t.Errorf("ParseDuration(%q) error = %q; want one line with %q and the examples", tt.in, msg, tt.why)
		}
	}
}

// Where Go's own syntax applies, ours must agree with it.
func TestParseDurationAgreesWithGo(t *testing.T) {
	for _, in := range []string{"1h30m", "500ms", "1.5h", "2h45m30.5s", "90s", "1µs", "3us", "7ns", "0.001s", "100h"} {
		want, err := time.ParseDuration(in)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := ParseDuration(in); err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v; time.ParseDuration says %v", in, got, err, want)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	tests := []struct {
		in   time.Duration
		want string
	}{
		{0, "0s"},
		{500 * time.Millisecond, "500ms"},
		{1500 * time.Nanosecond, "1.5µs"},
		{90 * time.Second, "1m30s"},
		{90 * time.Minute, "1h30m"},
		{84 * time.Hour, "3d12h"},
		{14 * 24 * time.Hour, "14d"},
		{time.Hour + 1, "1h0.000000001s"},
		{2*time.Minute + 2500*time.Millisecond, "2m2.5s"},
		{-5 * time.Minute, "-5m"},
	}
	for _, tt := range tests {
		if got := FormatDuration(tt.in); got != tt.want {
			t.Errorf("FormatDuration(%v) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestFormatDurationRoundTrips(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	cases := []time.Duration{0, 1, time.Second, math.MaxInt64}
	for range 2000 {
		// Spread over every magnitude, not just the huge values a uniform
		// draw would give.
		cases = append(cases, time.Duration(rng.Int64N(1<<rng.IntN(63))))
	}
	for _, d := range cases {
		s := FormatDuration(d)
		if got, err := ParseDuration(s); err != nil || got != d {
			t.Fatalf("ParseDuration(FormatDuration(%d) = %q) = %d, %v", d, s, got, err)
		}
	}
}
