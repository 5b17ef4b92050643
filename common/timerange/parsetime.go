package timerange

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// TimeExamples is appended to every time error so the user sees what
// valid input looks like.
const TimeExamples = `e.g. 15:40, 15:40:05, "2026-11-26 15:40", 2026-11-26T15:40:05Z, @1764171600`

// Layouts read in the clock's own zone. The fractional-second forms use
// ".999999999" so that the fraction is optional.
var (
	timeOfDayLayouts = []string{"15:04", "15:04:05.999999999"}
	localLayouts     = []string{
		"2006-01-02",
		"2006-01-02 15:04", "2006-01-02 15:04:05.999999999",
		"2006-01-02T15:04", "2006-01-02T15:04:05.999999999",
	}
	zonedLayouts = []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999Z07:00"}
)

// unixNanoDigits is the length of a Unix-nanosecond timestamp from
// 2001-09-09 until 2286, which is what the events table stores.
const unixNanoDigits = 19

// ParseTime parses a point in time (see the package comment for the
// syntax). Times without a zone are read in now's location, and a bare
// time of day is on now's date, even when that is later than now; a
// Range rejects a start in the future instead of guessing yesterday.
func ParseTime(s string, now time.Time) (time.Time, error) {
	t, _, err := parseTime(s, now)
	if err != nil {
		return time.Time{}, fmt.Errorf("invalid time %q: %w", s, err)
	}
	return t, nil
}

// parseTime also reports whether s was a bare time of day, so that
// errors about it can suggest giving the date. Its errors give only the
// reason, for callers that already name the value.
func parseTime(s string, now time.Time) (t time.Time, timeOfDay bool, err error) {
	t, timeOfDay, err = parseAnyTime(s, now)
	if err == nil && (t.Before(minTime) || t.After(maxTime)) {
		return time.Time{}, false, fmt.Errorf("outside the years %d to %d that Unix nanoseconds can hold (%s)", minTime.Year()+1, maxTime.Year()-1, TimeExamples)
	}
	return t, timeOfDay, err
}

// The events table stores Unix nanoseconds, so no range can reach past these.
var (
	minTime = time.Unix(0, math.MinInt64)
	maxTime = time.Unix(0, math.MaxInt64)
)

func parseAnyTime(s string, now time.Time) (t time.Time, timeOfDay bool, err error) {
	v := strings.TrimSpace(s)
	if v == "" {
		return time.Time{}, false, fmt.Errorf("empty (%s)", TimeExamples)
	}
	loc := now.Location()
	for _, layout := range timeOfDayLayouts {
		if c, err := time.ParseInLocation(layout, v, loc); err == nil {
			y, m, d := now.Date()
			return time.Date(y, m, d, c.Hour(), c.Minute(), c.Second(), c.Nanosecond(), loc), true, nil
		}
	}
	for _, layout := range localLayouts {
		if t, err := time.ParseInLocation(layout, v, loc); err == nil {
			return t, false, nil
		}
	}
	for _, layout := range zonedLayouts {
		if t, err := time.Parse(layout, v); err == nil {
			return t, false, nil
		}
	}
	if t, ok, err := parseUnix(v); ok {
		if err != nil {
			return time.Time{}, false, fmt.Errorf("%w (%s)", err, TimeExamples)
		}
		return t.In(loc), false, nil
	}
	return time.Time{}, false, fmt.Errorf("not a time this accepts (%s)", TimeExamples)
}

// parseUnix reads @SECONDS[.FRACTION] and 19-digit Unix nanoseconds; ok
// is false when v is neither form.
func parseUnix(v string) (t time.Time, ok bool, err error) {
	if sec, isSec := strings.CutPrefix(v, "@"); isSec {
		intPart, frac, hasFrac := strings.Cut(sec, ".")
		if !allDigits(intPart) || (hasFrac && !allDigits(frac)) {
			return time.Time{}, true, errors.New("after @ give Unix seconds")
		}
		n, err := strconv.ParseInt(intPart, 10, 64)
		if err != nil || n > maxUnixSeconds {
			return time.Time{}, true, errOverflow
		}
		frac = (frac + "000000000")[:9]
		ns, _ := strconv.ParseInt(frac, 10, 64)
		return time.Unix(n, ns), true, nil
	}
	if !allDigits(v) {
		return time.Time{}, false, nil
	}
	if len(v) != unixNanoDigits {
		return time.Time{}, true, fmt.Errorf("a bare number is read as Unix nanoseconds and needs %d digits; for seconds write @%s", unixNanoDigits, v)
	}
	ns, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return time.Time{}, true, errOverflow
	}
	return time.Unix(0, ns), true, nil
}

// maxUnixSeconds keeps @SECONDS from overflowing before the range check.
const maxUnixSeconds = math.MaxInt64/int64(time.Second) - 1

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		if !isDigit(c) {
			return false
		}
	}
	return true
}
