// Command ingero-export is `ingero export` as a binary of its own.
package main

import (
	"os"

	export "ingero.dev/ingero-export"
	"ingero.dev/common/cli"
)

func main() { os.Exit(cli.Main(export.New, os.Args[1:])) }
