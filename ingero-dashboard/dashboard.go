// Package dashboard builds the `ingero dashboard` command.
package dashboard

import (
	"flag"

	"github.com/peterbourgon/ff/v3/ffcli"

	"ingero.dev/common/cli"
)

// New builds the command. It has not landed yet: it parses the shared flags
// and then says so in one line.
func New(stdio cli.Stdio) *ffcli.Command {
	fs := flag.NewFlagSet("dashboard", flag.ContinueOnError)
	var db string
	cli.DBFlag(fs, &db)
	return &ffcli.Command{
		Name:       "dashboard",
		ShortUsage: "ingero dashboard [flags]",
		ShortHelp:  "Serve a browser dashboard over recorded data",
		FlagSet:    fs,
		Exec:       cli.NotYet("dashboard", "planned, after issue #4"),
	}
}
