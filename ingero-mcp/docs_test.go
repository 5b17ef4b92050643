package mcp

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// docExamples are the calls docs/mcp.md shows, on the test fixture (a
// training loop preempted by logrotate, with CUDA Graphs and a stack).
var docExamples = []struct {
	tool string
	args map[string]any
	full bool // also show {"tsc": false}
}{
	{"get_trace_stats", map[string]any{"since": "1m"}, false},
	{"get_causal_chains", map[string]any{"top_n": 1}, true},
	{"get_per_process", map[string]any{"pids": []int{4821}}, false},
	{"get_stacks", map[string]any{"op": "cudaStreamSynchronize", "limit": 1}, false},
	{"graph_lifecycle", map[string]any{"pid": 4821}, false},
	{"graph_frequency", map[string]any{"window_seconds": 30}, false},
	{"run_sql", map[string]any{"query": "SELECT comm, op_name, count(*) AS n, max(duration_ns) AS max_ns FROM events GROUP BY pid, op_name ORDER BY n DESC LIMIT 3"}, false},
	{"query_fleet", map[string]any{"action": "chains"}, false},
}

// elapsed varies from run to run; the docs show one run's value.
var elapsedRE = regexp.MustCompile(`"elapsed_ns":\s?\d+`)

// TestDocsExamples keeps docs/mcp.md's examples the answers the server
// gives today; go test -run DocsExamples -update rewrites them.
func TestDocsExamples(t *testing.T) {
	cs := connect(t, trainingFixture().write(t))
	var b strings.Builder
	for _, ex := range docExamples {
		in, _ := json.Marshal(ex.args)
		if ex.args == nil {
			in = []byte("{}")
		}
		r := call(t, cs, ex.tool, ex.args)
		lang, what := "json", "answer"
		if r.isError {
			lang, what = "text", "tool error (`isError: true`)"
		}
		fmt.Fprintf(&b, "#### %s\n\nArguments `%s`; %s:\n\n```%s\n%s\n```\n\n", ex.tool, in, what, lang, r.text)
		if ex.full {
			full := ok(t, cs, ex.tool, verboseArgs(ex.args))
			fmt.Fprintf(&b, "With `\"tsc\": false`:\n\n```json\n%s\n```\n\n", full.text)
		}
	}
	got := elapsedRE.ReplaceAllString(b.String(), `"elapsed_ns":1234567`)
	doc := filepath.Join("..", "docs", "mcp.md")
	if *updateDocs {
		writeGenerated(t, doc, "EXAMPLES", got)
		return
	}
	data, err := os.ReadFile(doc)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), got) {
		t.Errorf("docs/mcp.md's examples are not what the server answers now; run go test ./ingero-mcp -run DocsExamples -update")
	}
}
