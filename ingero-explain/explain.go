// Package explain builds the `ingero explain` command.
package explain

import (
	"flag"

	"github.com/peterbourgon/ff/v3/ffcli"

	"ingero.dev/common/cli"
)

// New builds the command. It has not landed yet: it parses the shared flags
// and then says so in one line.
func New(stdio cli.Stdio) *ffcli.Command {
	fs := flag.NewFlagSet("explain", flag.ContinueOnError)
	var db string
	cli.DBFlag(fs, &db)
	return &ffcli.Command{
		Name:       "explain",
		ShortUsage: "ingero explain [flags]",
		ShortHelp:  "Explain recorded events: causal chains, root causes and fixes",
		FlagSet:    fs,
		Exec:       cli.NotYet("explain", "issue #4"),
	}
}
