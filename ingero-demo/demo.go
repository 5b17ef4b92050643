// Package demo builds the `ingero demo` command.
package demo

import (
	"flag"

	"github.com/peterbourgon/ff/v3/ffcli"

	"ingero.dev/common/cli"
)

// New builds the command. It has not landed yet: it parses the shared flags
// and then says so in one line.
func New(stdio cli.Stdio) *ffcli.Command {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	var db string
	cli.DBFlag(fs, &db)
	return &ffcli.Command{
		Name:       "demo",
		ShortUsage: "ingero demo [flags] [scenario]",
		ShortHelp:  "Run scenarios that plant a GPU slowdown and explain it",
		FlagSet:    fs,
		Exec:       cli.NotYet("demo", "issue #5"),
	}
}
