package timerange_test

import (
	"fmt"
	"time"

	"ingero.dev/common/timerange"
)

// The duration flags (--since, --timeout, --max-age) accept days and weeks
// beside Go's units, largest unit first; FormatDuration prints them back
// the way the help text and the reports write them.
func ExampleParseDuration() {
	for _, s := range []string{"90s", "1h30m", "2d", "1w3d", "500ms"} {
		d, err := timerange.ParseDuration(s)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%-6s %-12v %s\n", s, d, timerange.FormatDuration(d))
	}
	_, err := timerange.ParseDuration("5 minutes")
	fmt.Println(err != nil)
	// Output:
	// 90s    1m30s        1m30s
	// 1h30m  1h30m0s      1h30m
	// 2d     48h0m0s      2d
	// 1w3d   240h0m0s     10d
	// 500ms  500ms        500ms
	// true
}

func ExampleParseTime() {
	now := time.Date(2026, 5, 24, 15, 45, 0, 0, time.UTC)
	for _, s := range []string{"2026-05-24 15:40:00", "15:40"} {
		t, err := timerange.ParseTime(s, now)
		fmt.Println(t.UTC(), err)
	}
	// Output:
	// 2026-05-24 15:40:00 +0000 UTC <nil>
	// 2026-05-24 15:40:00 +0000 UTC <nil>
}
