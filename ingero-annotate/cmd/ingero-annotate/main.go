// Command ingero-annotate is `ingero annotate` as a binary of its own.
package main

import (
	"os"

	"ingero.dev/common/cli"
	annotate "ingero.dev/ingero-annotate"
)

func main() { os.Exit(cli.Main(annotate.New, os.Args[1:])) }
