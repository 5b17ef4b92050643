// Command ingero-merge is `ingero merge` as a binary of its own.
package main

import (
	"os"

	merge "ingero.dev/ingero-merge"
	"ingero.dev/common/cli"
)

func main() { os.Exit(cli.Main(merge.New, os.Args[1:])) }
