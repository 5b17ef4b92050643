// Command ingero-query is `ingero query` as a binary of its own.
package main

import (
	"os"

	query "ingero.dev/ingero-query"
	"ingero.dev/common/cli"
)

func main() { os.Exit(cli.Main(query.New, os.Args[1:])) }
