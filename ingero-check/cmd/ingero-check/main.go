// Command ingero-check is `ingero check` as a binary of its own.
package main

import (
	"os"

	check "ingero.dev/ingero-check"
	"ingero.dev/common/cli"
)

func main() { os.Exit(cli.Main(check.New, os.Args[1:])) }
