// Package export builds the `ingero export` command.
package export

import (
	"flag"

	"github.com/peterbourgon/ff/v3/ffcli"

	"ingero.dev/common/cli"
)

// New builds the command. It has not landed yet: it parses the shared flags
// and then says so in one line.
func New(stdio cli.Stdio) *ffcli.Command {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	var db string
	cli.DBFlag(fs, &db)
	return &ffcli.Command{
		Name:       "export",
		ShortUsage: "ingero export [flags]",
		ShortHelp:  "Export recorded events to Perfetto / Chrome trace JSON",
		FlagSet:    fs,
		Exec:       cli.NotYet("export", "planned, after issue #4"),
	}
}
