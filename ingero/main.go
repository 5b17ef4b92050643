// Command ingero is the multiplexer: one binary that links every ingero
// command and picks one by its own name or by its first argument.
package main

import (
	"os"

	"ingero.dev/common/cli"
)

func main() { os.Exit(dispatch(os.Args, cli.OSStdio())) }
