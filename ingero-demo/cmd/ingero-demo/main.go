// Command ingero-demo is `ingero demo` as a binary of its own.
package main

import (
	"os"

	demo "ingero.dev/ingero-demo"
	"ingero.dev/common/cli"
)

func main() { os.Exit(cli.Main(demo.New, os.Args[1:])) }
