package main

import (
	annotate "ingero.dev/ingero-annotate"
	check "ingero.dev/ingero-check"
	dashboard "ingero.dev/ingero-dashboard"
	demo "ingero.dev/ingero-demo"
	explain "ingero.dev/ingero-explain"
	export "ingero.dev/ingero-export"
	mcp "ingero.dev/ingero-mcp"
	merge "ingero.dev/ingero-merge"
	query "ingero.dev/ingero-query"
	trace "ingero.dev/ingero-trace"

	"ingero.dev/common/cli"
)

// commands is the busybox registry, in the order `ingero help` lists them.
// The version command is built in and not listed here.
var commands = []struct {
	name string
	new  cli.Constructor
}{
	{"check", check.New},
	{"trace", trace.New},
	{"annotate", annotate.New},
	{"explain", explain.New},
	{"query", query.New},
	{"mcp", mcp.New},
	{"dashboard", dashboard.New},
	{"merge", merge.New},
	{"export", export.New},
	{"demo", demo.New},
}
