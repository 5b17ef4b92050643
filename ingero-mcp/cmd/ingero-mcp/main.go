// Command ingero-mcp is `ingero mcp` as a binary of its own.
package main

import (
	"os"

	mcp "ingero.dev/ingero-mcp"
	"ingero.dev/common/cli"
)

func main() { os.Exit(cli.Main(mcp.New, os.Args[1:])) }
