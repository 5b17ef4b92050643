package event

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the generated tables in docs/events.md")

const (
	beginMarker = "<!-- BEGIN GENERATED TABLES: go test ./event -update -->"
	endMarker   = "<!-- END GENERATED TABLES -->"
)

// renderTables is the docs' view of the registry; the test keeps the two
// from drifting apart.
func renderTables() string {
	var b strings.Builder
	b.WriteString("| id | source | layer | what |\n|---|---|---|---|\n")
	for _, s := range Sources() {
		fmt.Fprintf(&b, "| %d | `%s` | %s | %s |\n", s.Source, s.Name, s.Layer, s.Description)
	}
	for _, s := range Sources() {
		fmt.Fprintf(&b, "\n### %s (source %d)\n\n| op | name | class | args and meaning |\n|---|---|---|---|\n", s.Name, s.Source)
		for _, o := range Ops() {
			if o.Source == s.Source {
				fmt.Fprintf(&b, "| %d | `%s` | %s | %s |\n", o.Op, o.Name, o.Class, o.Description)
			}
		}
	}
	return b.String()
}

func TestDocsMatchRegistry(t *testing.T) {
	const path = "../../docs/events.md"
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading %s: %v", path, err)
	}
	doc := string(raw)
	i, j := strings.Index(doc, beginMarker), strings.Index(doc, endMarker)
	if i < 0 || j < i {
		t.Fatalf("%s lacks the generated-table markers", path)
	}
	want := renderTables()
	got := strings.TrimSpace(doc[i+len(beginMarker) : j])
	if got == strings.TrimSpace(want) {
		return
	}
	if !*update {
		t.Fatalf("docs/events.md is out of date with table.go: run go test ./event -update in common")
	}
	doc = doc[:i+len(beginMarker)] + "\n" + want + "\n" + doc[j:]
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
}
