package timerange

import (
	"errors"
	"flag"
	"time"
)

// DurationVar defines a duration flag in ingero syntax (2d, 1h30m, 500ms),
// like flag.DurationVar, which reads only Go's units.
func DurationVar(fs *flag.FlagSet, p *time.Duration, name string, value time.Duration, usage string) {
	*p = value
	fs.Var(&durationValue{p}, name, usage)
}

// SizeVar defines a byte-size flag (10g, 500m, 4096).
func SizeVar(fs *flag.FlagSet, p *int64, name string, value int64, usage string) {
	*p = value
	fs.Var(&sizeValue{p}, name, usage)
}

// Window is the --since, --from and --to flags of one command.
type Window struct {
	Spec
	defaultSince time.Duration
}

// Register adds --since, --from and --to to fs. defaultSince is the span
// used when neither --since nor --from is given; 0 means all history.
// Bad syntax is caught while parsing, so it exits with code 2 at once.
func (w *Window) Register(fs *flag.FlagSet, defaultSince time.Duration) {
	w.defaultSince = defaultSince
	fs.Var(&sinceValue{&w.Since, defaultSince}, "since", "look back this `DURATION` from now or --to (90s, 5m, 1h30m, 2d, 1w)")
	fs.Var(&timeValue{&w.From}, "from", "start at `TIME`, local unless zoned (15:40, \"2026-11-26 15:40\", RFC 3339, @UNIX)")
	fs.Var(&timeValue{&w.To}, "to", "end at `TIME` (default now; same syntax as --from)")
}

// Resolve turns the parsed flags into a Range anchored at now; see
// Spec.Resolve for the rules.
func (w *Window) Resolve(now time.Time) (Range, error) {
	return w.Spec.Resolve(now, w.defaultSince)
}

// The value types hold pointers so that flag's zero-value probe, which
// calls String on a fresh value, must cope with nil.

type durationValue struct{ p *time.Duration }

func (v *durationValue) Set(s string) error {
	d, err := durationReason(s)
	if err != nil {
		return err
	}
	*v.p = d
	return nil
}

func (v *durationValue) String() string {
	if v == nil || v.p == nil {
		return ""
	}
	return FormatDuration(*v.p)
}

type sizeValue struct{ p *int64 }

func (v *sizeValue) Set(s string) error {
	n, err := sizeReason(s)
	if err != nil {
		return err
	}
	*v.p = n
	return nil
}

func (v *sizeValue) String() string {
	if v == nil || v.p == nil {
		return ""
	}
	return FormatSize(*v.p)
}

type sinceValue struct {
	p   *string
	def time.Duration
}

func (v *sinceValue) Set(s string) error {
	d, err := durationReason(s)
	if err != nil {
		return err
	}
	if d <= 0 {
		return errors.New("must be longer than zero (" + DurationExamples + ")")
	}
	*v.p = s
	return nil
}

func (v *sinceValue) String() string {
	switch {
	case v == nil || v.p == nil:
		return ""
	case *v.p != "":
		return *v.p
	case v.def > 0:
		return FormatDuration(v.def)
	}
	return ""
}

type timeValue struct{ p *string }

// Set checks only the syntax: a time of day is resolved against the
// command's clock later, in Resolve.
func (v *timeValue) Set(s string) error {
	if _, _, err := parseTime(s, time.Now()); err != nil {
		return err
	}
	*v.p = s
	return nil
}

func (v *timeValue) String() string {
	if v == nil || v.p == nil {
		return ""
	}
	return *v.p
}
