// Command ingero-trace is `ingero trace` as a binary of its own.
package main

import (
	"os"

	"ingero.dev/common/cli"
	trace "ingero.dev/ingero-trace"
)

func main() { os.Exit(cli.Main(trace.New, os.Args[1:])) }
