// Package mcp builds the `ingero mcp` command.
package mcp

import (
	"flag"

	"github.com/peterbourgon/ff/v3/ffcli"

	"ingero.dev/common/cli"
)

// New builds the command. It has not landed yet: it parses the shared flags
// and then says so in one line.
func New(stdio cli.Stdio) *ffcli.Command {
	fs := flag.NewFlagSet("mcp", flag.ContinueOnError)
	var db string
	cli.DBFlag(fs, &db)
	return &ffcli.Command{
		Name:       "mcp",
		ShortUsage: "ingero mcp [flags]",
		ShortHelp:  "Serve recorded data to AI agents over MCP",
		FlagSet:    fs,
		Exec:       cli.NotYet("mcp", "planned, after issue #4"),
	}
}
