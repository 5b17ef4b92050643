package query

import (
	"flag"
	"strings"

	"ingero.dev/common/cli"
)

// check rejects what the command line asks for but cannot mean, before
// any file is opened.
func (c *config) check(args []string) error {
	switch {
	case len(args) > 1:
		return cli.Usagef("give the SQL statement as one argument, in quotes (got %d arguments)", len(args))
	case c.limit < 0:
		return cli.Usagef("--limit %d: must be 0 (all) or more", c.limit)
	case c.maxRows < 0:
		return cli.Usagef("--max-rows %d: must be 0 (no cap) or more", c.maxRows)
	}
	set := map[string]bool{}
	c.fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if len(args) == 1 {
		// The statement says what it selects; a filter flag beside it
		// would be silently ignored, so it is refused instead.
		for _, name := range []string{"since", "from", "to", "pid", "op", "annotations", "limit", "stacks", "by-request"} {
			if set[name] {
				return cli.Usagef("--%s does not apply to SQL: put the condition in the statement (WHERE timestamp >= …, pid IN (…), op_name = '…', LIMIT n)", name)
			}
		}
		if strings.TrimSpace(args[0]) == "" {
			return cli.Usagef("the SQL statement is empty")
		}
		return nil
	}
	if c.stacks && c.annotations {
		return cli.Usagef("--annotations labels events; --stacks ranks call sites: give one of them")
	}
	if set["max-rows"] {
		return cli.Usagef("--max-rows applies to SQL statements; for events use --limit")
	}
	if _, err := cli.ParsePIDs(c.pids); err != nil {
		return err
	}
	_, err := parseOps(c.ops)
	return err
}
