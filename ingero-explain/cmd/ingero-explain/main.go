// Command ingero-explain is `ingero explain` as a binary of its own.
package main

import (
	"os"

	"ingero.dev/common/cli"
	explain "ingero.dev/ingero-explain"
)

func main() { os.Exit(cli.Main(explain.New, os.Args[1:])) }
