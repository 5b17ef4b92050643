// Command ingero-explain is `ingero explain` as a binary of its own.
package main

import (
	"os"

	explain "ingero.dev/ingero-explain"
	"ingero.dev/common/cli"
)

func main() { os.Exit(cli.Main(explain.New, os.Args[1:])) }
