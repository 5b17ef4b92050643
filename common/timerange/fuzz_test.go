package timerange

import (
	"errors"
	"strings"
	"testing"
	"time"

	"ingero.dev/common/cli"
)

// FuzzParseDuration: any string either fails with the examples attached
// or gives a non-negative duration that FormatDuration writes back in a
// form ParseDuration reads to the same value.
func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"90s", "5m", "1h30m", "2d", "3d12h", "1w", "500ms", "1.5µs", "1.5μs", "0", "", "-1s", "1h1h", "9223372036854775807ns", "106751d23h47m16s854775807ns", "1e3s", ".5s", "1..5s", " 2d ", "1w1d1h1m1s1ms1us1ns"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDuration(s)
		if err != nil {
			if !strings.Contains(err.Error(), DurationExamples) {
				t.Fatalf("ParseDuration(%q): error without examples: %v", s, err)
			}
			return
		}
		if d < 0 {
			t.Fatalf("ParseDuration(%q) = %v: negative", s, d)
		}
		back, err := ParseDuration(FormatDuration(d))
		if err != nil || back != d {
			t.Fatalf("ParseDuration(%q) = %v, written %q, read back %v, %v", s, d, FormatDuration(d), back, err)
		}
	})
}

// FuzzParseSize: sizes are non-negative and survive FormatSize.
func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"4096", "32m", "500M", "10g", "10GiB", "10gb", "0", "", "-1", "8t", "9223372036854775807", "8388608t", "1.5g", "k"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseSize(s)
		if err != nil {
			if !strings.Contains(err.Error(), SizeExamples) {
				t.Fatalf("ParseSize(%q): error without examples: %v", s, err)
			}
			return
		}
		if n < 0 {
			t.Fatalf("ParseSize(%q) = %d: negative", s, n)
		}
		if back, err := ParseSize(FormatSize(n)); err != nil || back != n {
			t.Fatalf("ParseSize(%q) = %d, written %q, read back %d, %v", s, n, FormatSize(n), back, err)
		}
	})
}

// fuzzNow is a fixed clock, so that a crash the fuzzer finds replays.
var fuzzNow = time.Date(2026, 11, 26, 15, 45, 0, 0, time.FixedZone("CET", 3600))

// FuzzParseTime: any string gives a time or an "invalid time" error,
// never a panic or a zero time taken for an answer.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"15:40", "15:40:05", "2026-11-26 15:40", "2026-11-26T15:40:05Z", "@1764171600", "@1764171600.5", "1764171600000000000", "2026-11-26", "25:00", "@-1", "@99999999999999999999", "2026-11-26 15:40:05.123456789+01:00", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tm, err := ParseTime(s, fuzzNow)
		if err != nil {
			if !strings.Contains(err.Error(), "invalid time") {
				t.Fatalf("ParseTime(%q): %v", s, err)
			}
			return
		}
		if tm.IsZero() {
			t.Fatalf("ParseTime(%q) gave the zero time without an error", s)
		}
	})
}

// FuzzResolve: any three flag values resolve to a range whose start is
// not after its end, or fail with a usage error (exit 2), never another.
func FuzzResolve(f *testing.F) {
	f.Add("", "", "", int64(0))
	f.Add("5m", "", "", int64(time.Hour))
	f.Add("", "15:40", "15:45", int64(0))
	f.Add("2d", "", "2026-11-26 15:40", int64(0))
	f.Add("", "23:50", "", int64(0))
	f.Add("106751d", "", "@0", int64(0))
	f.Fuzz(func(t *testing.T, since, from, to string, def int64) {
		r, err := Spec{Since: since, From: from, To: to}.Resolve(fuzzNow, time.Duration(max(def, 0)))
		if err != nil {
			var u *cli.UsageError
			if !errors.As(err, &u) {
				t.Fatalf("Resolve(%q, %q, %q): %v is not a usage error", since, from, to, err)
			}
			return
		}
		if !r.From.IsZero() && r.From.After(r.To) {
			t.Fatalf("Resolve(%q, %q, %q) = %v .. %v: start after end", since, from, to, r.From, r.To)
		}
	})
}
