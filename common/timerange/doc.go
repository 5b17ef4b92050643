// Package timerange parses the durations, times, time ranges and sizes
// that every ingero command accepts on its command line, so that
// `--since 2d` or `--max-db 500m` mean the same thing everywhere.
//
// Durations are one or more number-unit pairs, largest unit first:
// 90s, 500ms, 5m, 1h30m, 2d, 3d12h, 1w. Units are w, d, h, m, s, ms,
// us (or µs) and ns; a day is 24 hours and a week 7 days. Numbers may
// have a fraction (1.5h). "0" is the one number allowed without a unit.
//
// Times are local wall-clock times unless they name a zone:
// 15:40 and 15:40:05 are today; 2026-11-26, 2026-11-26 15:40 and
// 2026-11-26T15:40:05.25 are that date; RFC 3339 with a zone
// (2026-11-26T15:40:05Z, ...+01:00) is that instant; @1764171600.5 is
// Unix seconds (as `date +%s` prints) and a 19-digit integer is Unix
// nanoseconds (as stored in the events table).
//
// Sizes are bytes with an optional k, m, g or t suffix in powers of 1024,
// in either case: 4096, 32m, 10g, 0.
package timerange
