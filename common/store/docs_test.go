package store

import (
	"context"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/ncruces/go-sqlite3"
)

const schemaDoc = "../../docs/schema.md"

// Every table and column of the schema is documented in docs/schema.md,
// in the section that names the table.
func TestSchemaDocCoversEveryColumn(t *testing.T) {
	doc, err := os.ReadFile(schemaDoc)
	if err != nil {
		t.Fatal(err)
	}
	sections := map[string]string{}
	for _, part := range regexp.MustCompile(`\n###? `).Split(string(doc), -1)[1:] {
		title, body, _ := strings.Cut(part, "\n")
		for _, m := range regexp.MustCompile("`([a-z_]+)`").FindAllStringSubmatch(title, -1) {
			sections[m[1]] = body
		}
	}
	path := tempDB(t)
	writeDB(t, path, Options{}, nil)
	c, err := sqlite3.OpenFlags(path, sqlite3.OPEN_READONLY)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	tables, _, err := c.Prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer tables.Close()
	n := 0
	for tables.Step() {
		table := tables.ColumnText(0)
		n++
		body, ok := sections[table]
		if !ok {
			t.Errorf("docs/schema.md has no section for table %s", table)
			continue
		}
		cols, _, err := c.Prepare(`SELECT name FROM pragma_table_info(?)`)
		if err != nil {
			t.Fatal(err)
		}
		cols.BindText(1, table)
		for cols.Step() {
			if col := cols.ColumnText(0); !strings.Contains(body, "`"+col+"`") {
				t.Errorf("docs/schema.md does not describe %s.%s", table, col)
			}
		}
		cols.Close()
	}
	if n < 10 {
		t.Fatalf("found only %d tables", n)
	}
	vcols := regexp.MustCompile(`(\w+) (?:INTEGER|TEXT)`).FindAllStringSubmatch(eventsTableSQL, -1)
	if len(vcols) != colPeerComm+1 {
		t.Fatalf("parsed %d events columns, want %d", len(vcols), colPeerComm+1)
	}
	for _, m := range vcols {
		col := m[1]
		if strings.HasPrefix(col, "arg") {
			col = "arg0` … `arg3"
		}
		if !strings.Contains(sections["events"], "`"+col+"`") {
			t.Errorf("docs/schema.md does not describe events.%s", col)
		}
	}
}

// The SQL examples in docs/schema.md run: those over chunk tables on a
// plain SQLite connection, the one over events through a Reader.
func TestSchemaDocExamplesRun(t *testing.T) {
	doc, err := os.ReadFile(schemaDoc)
	if err != nil {
		t.Fatal(err)
	}
	path := tempDB(t)
	writeDB(t, path, Options{}, newWorkload(100, "n", 4242, 1_750_000_000_000_000_000).events(5000))
	plain, err := sqlite3.OpenFlags(path, sqlite3.OPEN_READONLY)
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	r := openReader(t, path)
	blocks := regexp.MustCompile("(?s)```sql\n(.*?)```").FindAllStringSubmatch(string(doc), -1)
	if len(blocks) < 2 {
		t.Fatalf("found %d SQL examples", len(blocks))
	}
	for _, b := range blocks {
		for _, q := range strings.Split(b[1], ";") {
			q = strings.TrimSpace(regexp.MustCompile(`(?m)^--.*$`).ReplaceAllString(q, ""))
			if q == "" {
				continue
			}
			if strings.Contains(q, "FROM events") {
				res, err := r.Query(context.Background(), 0, q)
				if err != nil || len(res.Rows) == 0 {
					t.Errorf("through ingero, %s: %v rows, %v", q, res, err)
				}
				if err := plain.Exec(q); err == nil || !strings.Contains(err.Error(), "no such table: events") {
					t.Errorf("plain SQLite ran %s: %v", q, err)
				}
				continue
			}
			if err := plain.Exec(q); err != nil {
				t.Errorf("plain SQLite, %s: %v", q, err)
			}
		}
	}
}
