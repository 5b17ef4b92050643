// Package trace builds the `ingero trace` command.
package trace

import (
	"flag"

	"github.com/peterbourgon/ff/v3/ffcli"

	"ingero.dev/common/cli"
)

// New builds the command. It has not landed yet: it parses the shared flags
// and then says so in one line.
func New(stdio cli.Stdio) *ffcli.Command {
	fs := flag.NewFlagSet("trace", flag.ContinueOnError)
	var db string
	cli.DBFlag(fs, &db)
	return &ffcli.Command{
		Name:       "trace",
		ShortUsage: "ingero trace [flags]",
		ShortHelp:  "Trace CUDA and host events with eBPF and record them (needs root)",
		FlagSet:    fs,
		Exec:       cli.NotYet("trace", "issue #3"),
	}
}
