// Command ingero-export is `ingero export` as a binary of its own.
package main

import (
	"os"

	"ingero.dev/common/cli"
	export "ingero.dev/ingero-export"
)

func main() { os.Exit(cli.Main(export.New, os.Args[1:])) }
