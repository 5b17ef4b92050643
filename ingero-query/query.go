// Package query builds the `ingero query` command.
package query

import (
	"flag"

	"github.com/peterbourgon/ff/v3/ffcli"

	"ingero.dev/common/cli"
)

// New builds the command. It has not landed yet: it parses the shared flags
// and then says so in one line.
func New(stdio cli.Stdio) *ffcli.Command {
	fs := flag.NewFlagSet("query", flag.ContinueOnError)
	var db string
	cli.DBFlag(fs, &db)
	return &ffcli.Command{
		Name:       "query",
		ShortUsage: "ingero query [flags] [SQL]",
		ShortHelp:  "Query recorded events, or run read-only SQL",
		FlagSet:    fs,
		Exec:       cli.NotYet("query", "issue #4"),
	}
}
