// Command ingero-dashboard is `ingero dashboard` as a binary of its own.
package main

import (
	"os"

	dashboard "ingero.dev/ingero-dashboard"
	"ingero.dev/common/cli"
)

func main() { os.Exit(cli.Main(dashboard.New, os.Args[1:])) }
