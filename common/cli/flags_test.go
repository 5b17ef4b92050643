package cli

import (
	"flag"
	"strings"
	"testing"
)

func TestDBFlagBothSpellings(t *testing.T) {
	for _, args := range [][]string{{"-d", "a.db"}, {"--db", "a.db"}, {"-db=a.db"}, {"--d=a.db"}} {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		var db string
		DBFlag(fs, &db)
		if err := fs.Parse(args); err != nil || db != "a.db" {
			t.Errorf("%q: db = %q, %v", args, db, err)
		}
	}
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	var db string
	DBFlag(fs, &db)
	for _, name := range []string{"d", "db"} {
		f := fs.Lookup(name)
		if f == nil || f.DefValue != "" || !strings.Contains(f.Usage, "$INGERO_DB") {
			t.Errorf("flag -%s: %+v", name, f)
		}
	}
}
