// Package mcp builds the `ingero mcp` command: a Model Context Protocol
// server through which AI agents investigate a recording (statistics,
// causal chains, per-process breakdowns, stacks, read-only SQL), over
// stdio or Streamable HTTP behind TLS 1.3. It only reads: it never
// changes the recording, and links neither eBPF nor NVML.
package mcp

import (
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/peterbourgon/ff/v3/ffcli"

	"ingero.dev/common/cli"
	"ingero.dev/common/fleet"
)

// TokenEnv names the variable that holds the bearer token for --http.
const TokenEnv = "INGERO_MCP_TOKEN"

type config struct {
	stdio      cli.Stdio
	db         string
	http       string
	tlsCert    string
	tlsKey     string
	allowHosts hostList
	noTLS      bool
	fleet      fleet.Flags
	// onListen, when set, learns the HTTP address bound (tests use :0).
	onListen func(addr string)
}

// New builds the command.
func New(stdio cli.Stdio) *ffcli.Command {
	return newCommand(&config{stdio: stdio})
}

func newCommand(c *config) *ffcli.Command {
	fs := flag.NewFlagSet("mcp", flag.ContinueOnError)
	cli.DBFlag(fs, &c.db)
	fs.StringVar(&c.http, "http", "", "serve Streamable HTTP at `ADDR` (such as 127.0.0.1:8080 or :8080), path /mcp, TLS 1.3 only; default: stdio")
	fs.StringVar(&c.tlsCert, "tls-cert", "", "TLS certificate `FILE` (PEM) for --http; default: an ephemeral self-signed ECDSA P-256 certificate")
	fs.StringVar(&c.tlsKey, "tls-key", "", "TLS private key `FILE` (PEM) for --http, readable by its owner only")
	fs.Var(&c.allowHosts, "allow-host", "also accept this Host header `NAME` (repeatable, or comma-separated); loopback names are always accepted")
	fs.BoolVar(&c.noTLS, "no-tls", false, "serve --http as plain HTTP: loopback addresses only")
	c.fleet.Register(fs)
	for _, name := range []string{"token", "mcp-bearer-token"} {
		fs.Var(refusedSecret{}, name, "refused: set $"+TokenEnv+" instead")
	}
	return &ffcli.Command{
		Name:       "mcp",
		ShortUsage: "ingero mcp [flags]",
		ShortHelp:  "Serve recorded data to AI agents over MCP",
		LongHelp:   longHelp,
		FlagSet:    fs,
		Exec:       c.exec,
	}
}

const longHelp = `Serves a recording (-d: a database or a stream file) to AI agents over the
Model Context Protocol. Tools: get_check, get_trace_stats, get_causal_chains,
get_per_process, get_stacks, graph_lifecycle, graph_frequency, run_sql,
run_demo, query_fleet; prompt: investigate. Answers are compact (TSC) unless a
call passes {"tsc": false}. Nothing is ever written to the recording.

stdio (the default) is for clients that start the server themselves. Register
it in Claude Desktop, Cursor, VS Code or any MCP client with:

  {"mcpServers": {"ingero": {"command": "ingero", "args": ["mcp", "-d", "/path/to/trace.db"]}}}

(Claude Code: claude mcp add ingero -- ingero mcp -d /path/to/trace.db)

--http serves Streamable HTTP at https://ADDR/mcp, TLS 1.3 only. Without
--tls-cert/--tls-key it makes an ephemeral self-signed ECDSA P-256
certificate (24 h) and prints its SHA-256 fingerprint. Set $INGERO_MCP_TOKEN
to require "Authorization: Bearer TOKEN" (tokens are never taken from the
command line). Host headers other than loopback names are refused unless
--allow-host names them. --no-tls is for loopback addresses only:

  INGERO_MCP_TOKEN=$(openssl rand -hex 32) ingero mcp --http 127.0.0.1:8080 -d trace.db
  {"mcpServers": {"ingero": {"type": "http", "url": "https://127.0.0.1:8080/mcp",
    "headers": {"Authorization": "Bearer ${INGERO_MCP_TOKEN}"}}}}

Tool reference with examples: docs/mcp.md.`

func (c *config) check(args []string) error {
	switch {
	case len(args) > 0:
		return cli.Usagef("mcp takes no arguments (got %q); the recording is -d FILE", args[0])
	case c.http == "" && (c.tlsCert != "" || c.tlsKey != "" || c.noTLS || len(c.allowHosts) > 0):
		return cli.Usagef("--tls-cert, --tls-key, --no-tls and --allow-host apply to --http only")
	case c.noTLS && (c.tlsCert != "" || c.tlsKey != ""):
		return cli.Usagef("--no-tls serves plain HTTP; it takes no --tls-cert/--tls-key")
	case (c.tlsCert == "") != (c.tlsKey == ""):
		return cli.Usagef("--tls-cert and --tls-key go together: give both, or neither for a self-signed certificate")
	}
	return nil
}

// hostList is a repeatable, comma-separated flag.
type hostList []string

func (h *hostList) String() string { return strings.Join(*h, ",") }

func (h *hostList) Set(s string) error {
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" || strings.ContainsAny(part, "/ ") {
			return fmt.Errorf("%q is not a host name", part)
		}
		*h = append(*h, part)
	}
	return nil
}

// refusedSecret is a flag that exists only to refuse a secret on the
// command line, where every user of the host can read it in /proc.
type refusedSecret struct{}

func (refusedSecret) String() string { return "" }

func (refusedSecret) Set(string) error {
	return errors.New("tokens are not taken from the command line (every user can read it in ps): set $" + TokenEnv)
}
