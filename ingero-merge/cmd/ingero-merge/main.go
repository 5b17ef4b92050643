// Command ingero-merge is `ingero merge` as a binary of its own.
package main

import (
	"os"

	"ingero.dev/common/cli"
	merge "ingero.dev/ingero-merge"
)

func main() { os.Exit(cli.Main(merge.New, os.Args[1:])) }
