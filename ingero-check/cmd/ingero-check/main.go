// Command ingero-check is `ingero check` as a binary of its own.
package main

import (
	"os"

	"ingero.dev/common/cli"
	check "ingero.dev/ingero-check"
)

func main() { os.Exit(cli.Main(check.New, os.Args[1:])) }
