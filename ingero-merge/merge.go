// Package merge builds the `ingero merge` command.
package merge

import (
	"flag"

	"github.com/peterbourgon/ff/v3/ffcli"

	"ingero.dev/common/cli"
)

// New builds the command. It has not landed yet: it parses the shared flags
// and then says so in one line.
func New(stdio cli.Stdio) *ffcli.Command {
	fs := flag.NewFlagSet("merge", flag.ContinueOnError)
	var db string
	cli.DBFlag(fs, &db)
	return &ffcli.Command{
		Name:       "merge",
		ShortUsage: "ingero merge [flags] SRC.db... -o OUT.db",
		ShortHelp:  "Merge databases from several nodes into one",
		FlagSet:    fs,
		Exec:       cli.NotYet("merge", "planned, after issue #4"),
	}
}
