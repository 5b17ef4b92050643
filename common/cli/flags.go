package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
)

// DBFlag registers -d and --db on fs, both writing to p.
func DBFlag(fs *flag.FlagSet, p *string) {
	DBFlagHelp(fs, p, "path to the ingero database or stream file (default: $INGERO_DB, else ~/.ingero/ingero.db)")
}

// DBFlagHelp is DBFlag for a command whose -d means something of its own.
func DBFlagHelp(fs *flag.FlagSet, p *string, help string) {
	fs.StringVar(p, "d", "", help)
	fs.StringVar(p, "db", "", help)
}

// ErrNotAvailable is wrapped by commands that this build does not yet ship.
var ErrNotAvailable = errors.New("not available yet")

// NotYet is the Exec of a command whose implementation has not landed: it
// says so in one line and fails, rather than printing anything made up.
func NotYet(name, roadmap string) func(context.Context, []string) error {
	return func(context.Context, []string) error {
		return fmt.Errorf("%w in this build (roadmap: %s)", ErrNotAvailable, roadmap)
	}
}
