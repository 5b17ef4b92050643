// Package check builds the `ingero check` command.
package check

import (
	"flag"

	"github.com/peterbourgon/ff/v3/ffcli"

	"ingero.dev/common/cli"
)

// New builds the command. It has not landed yet: it parses the shared flags
// and then says so in one line.
func New(stdio cli.Stdio) *ffcli.Command {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	var db string
	cli.DBFlag(fs, &db)
	return &ffcli.Command{
		Name:       "check",
		ShortUsage: "ingero check [flags]",
		ShortHelp:  "Check that this host is ready for eBPF GPU tracing",
		FlagSet:    fs,
		Exec:       cli.NotYet("check", "issue #5"),
	}
}
