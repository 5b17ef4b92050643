// Command ingero-trace is `ingero trace` as a binary of its own.
package main

import (
	"os"

	trace "ingero.dev/ingero-trace"
	"ingero.dev/common/cli"
)

func main() { os.Exit(cli.Main(trace.New, os.Args[1:])) }
