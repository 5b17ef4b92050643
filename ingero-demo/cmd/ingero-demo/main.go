// Command ingero-demo is `ingero demo` as a binary of its own.
package main

import (
	"os"

	"ingero.dev/common/cli"
	demo "ingero.dev/ingero-demo"
)

func main() { os.Exit(cli.Main(demo.New, os.Args[1:])) }
