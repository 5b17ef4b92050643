// Command ingero-dashboard is `ingero dashboard` as a binary of its own.
package main

import (
	"os"

	"ingero.dev/common/cli"
	dashboard "ingero.dev/ingero-dashboard"
)

func main() { os.Exit(cli.Main(dashboard.New, os.Args[1:])) }
