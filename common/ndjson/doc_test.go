package ndjson

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"

	"ingero.dev/common/event"
)

const docPath = "../../docs/json.md"

var kindDoc = map[argKind]string{
	kindNum:  "number",
	kindHex:  `"0x…" string`,
	kindInt:  "signed number",
	kindBool: "boolean",
	kindCopy: `"H2H" \| "H2D" \| "D2H" \| "D2D" \| "default"`,
}

// renderArgsTable is the docs' view of opArgs.
func renderArgsTable() string {
	var b strings.Builder
	b.WriteString("| source | op | class | args |\n|---|---|---|---|\n")
	for _, o := range event.Ops() {
		var fields []string
		for _, f := range opArgs[o.Name] {
			switch {
			case f.name == "":
			case f.kind == kindPorts:
				fields = append(fields, "`sport`, `dport` (numbers)")
			case f.kind == kindRank:
				fields = append(fields, "`rank`, `nranks` (numbers)")
			default:
				fields = append(fields, fmt.Sprintf("`%s` (%s)", f.name, kindDoc[f.kind]))
			}
		}
		if len(fields) == 0 {
			fields = []string{"none"}
		}
		fmt.Fprintf(&b, "| %s | `%s` | %s | %s |\n", o.Source, o.Name, o.Class, strings.Join(fields, ", "))
	}
	return b.String()
}

// renderExamples is the golden output itself, so the examples cannot lie.
func renderExamples(t *testing.T) string {
	lines := bytes.SplitAfter(encodeAll(t, goldenEvents()), []byte("\n"))
	return "```json\n" + string(bytes.Join(lines[:6], nil)) + "```"
}

func TestDocsMatchCode(t *testing.T) {
	raw, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatalf("reading %s: %v", docPath, err)
	}
	doc := string(raw)
	for _, part := range []struct{ name, want string }{
		{"ARGS", renderArgsTable()},
		{"EXAMPLES", renderExamples(t)},
	} {
		begin := "<!-- BEGIN GENERATED " + part.name + ": go test ./ndjson -update (in common) -->"
		end := "<!-- END GENERATED " + part.name + " -->"
		i, j := strings.Index(doc, begin), strings.Index(doc, end)
		if i < 0 || j < i {
			t.Fatalf("%s lacks the %s markers", docPath, part.name)
		}
		if strings.TrimSpace(doc[i+len(begin):j]) == strings.TrimSpace(part.want) {
			continue
		}
		if !*update {
			t.Fatalf("docs/json.md %s are out of date: run go test ./ndjson -update in common", strings.ToLower(part.name))
		}
		doc = doc[:i+len(begin)] + "\n" + part.want + "\n" + doc[j:]
	}
	if *update {
		if err := os.WriteFile(docPath, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
