// Command ingero-mcp is `ingero mcp` as a binary of its own.
package main

import (
	"os"

	"ingero.dev/common/cli"
	mcp "ingero.dev/ingero-mcp"
)

func main() { os.Exit(cli.Main(mcp.New, os.Args[1:])) }
