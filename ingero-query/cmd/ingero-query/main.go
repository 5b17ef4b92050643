// Command ingero-query is `ingero query` as a binary of its own.
package main

import (
	"os"

	"ingero.dev/common/cli"
	query "ingero.dev/ingero-query"
)

func main() { os.Exit(cli.Main(query.New, os.Args[1:])) }
