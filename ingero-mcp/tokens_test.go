package mcp

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tiktoken-go/tokenizer"
)

var updateDocs = flag.Bool("update", false, "rewrite the generated token table in docs/mcp.md")

// demoScenarios are the synthetic scenarios of `ingero demo`.
var demoScenarios = []string{"incident", "cpu-contention", "gpu-contention", "gpu-steal", "contention",
	"cold-start", "memcpy-bottleneck", "periodic-spike"}

// minReduction is the token saving TSC must keep on the demo recordings,
// counted by cl100k_base and o200k_base against {"tsc": false}.
const minReduction = 0.35

// TestTSCTokenReduction records every synthetic demo scenario, asks the
// three tools an investigation starts with, in both forms, and counts
// the answers' tokens with OpenAI's BPE vocabularies (cl100k_base of
// GPT-4, o200k_base of GPT-4o), embedded in the tokenizer package so the
// count needs no network. With -update it writes the table to docs/mcp.md.
func TestTSCTokenReduction(t *testing.T) {
	ingero := filepath.Join(binaries(t), "ingero")
	encs := map[string]tokenizer.Codec{}
	for _, name := range []tokenizer.Encoding{tokenizer.Cl100kBase, tokenizer.O200kBase} {
		enc, err := tokenizer.Get(name)
		if err != nil {
			t.Fatal(err)
		}
		encs[string(name)] = enc
	}
	count := func(enc string, s string) int {
		n, err := encs[enc].Count(s)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	tools := []string{"get_trace_stats", "get_causal_chains", "get_per_process"}
	type sums struct{ verbose, minified, tsc int }
	total := map[string]*sums{"cl100k_base": {}, "o200k_base": {}}
	perTool := map[string]*sums{}
	for _, tool := range tools {
		perTool[tool] = &sums{}
	}
	dir := t.TempDir()
	for _, sc := range demoScenarios {
		db := filepath.Join(dir, sc+".db")
		if out, err := exec.Command(ingero, "demo", "--mode", "synthetic", "-d", db, sc).CombinedOutput(); err != nil {
			t.Fatalf("ingero demo %s: %v\n%s", sc, err, out)
		}
		cs := connect(t, db)
		for _, tool := range tools {
			compact := ok(t, cs, tool, nil)
			full := ok(t, cs, tool, map[string]any{"tsc": false})
			// The verbose answer without its indentation: what the
			// short keys and tables save on their own.
			var v any
			if err := json.Unmarshal([]byte(full.text), &v); err != nil {
				t.Fatal(err)
			}
			minified, err := marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			for enc, s := range total {
				s.verbose += count(enc, full.text)
				s.minified += count(enc, string(minified))
				s.tsc += count(enc, compact.text)
			}
			p := perTool[tool]
			p.verbose += count("o200k_base", full.text)
			p.minified += count("o200k_base", string(minified))
			p.tsc += count("o200k_base", compact.text)
		}
	}
	cut := func(s *sums) (float64, float64) {
		return 1 - float64(s.tsc)/float64(s.verbose), 1 - float64(s.tsc)/float64(s.minified)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "| tokenizer | {\"tsc\": false} (indented) | same JSON, minified | TSC (default) | TSC saves vs indented | vs minified |\n|---|---|---|---|---|---|\n")
	for _, enc := range []string{"cl100k_base", "o200k_base"} {
		s := total[enc]
		a, m := cut(s)
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %.0f%% | %.0f%% |\n", enc, s.verbose, s.minified, s.tsc, a*100, m*100)
		if a < minReduction {
			t.Errorf("%s: TSC saves %.0f%% of the tokens, want at least %.0f%%", enc, a*100, minReduction*100)
		}
	}
	fmt.Fprintf(&b, "\nPer tool (o200k_base, all eight scenarios):\n\n| tool | indented | minified | TSC | saves vs indented | vs minified |\n|---|---|---|---|---|---|\n")
	for _, tool := range tools {
		s := perTool[tool]
		a, m := cut(s)
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %.0f%% | %.0f%% |\n", tool, s.verbose, s.minified, s.tsc, a*100, m*100)
	}
	t.Logf("token counts over %d scenarios × %d tools:\n%s", len(demoScenarios), len(tools), b.String())
	if *updateDocs {
		writeGenerated(t, filepath.Join("..", "docs", "mcp.md"), "TOKENS", b.String())
	}
}

// writeGenerated replaces the block between the BEGIN/END GENERATED
// markers named name in a doc.
func writeGenerated(t *testing.T, doc, name, body string) {
	t.Helper()
	data, err := os.ReadFile(doc)
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`(?s)(<!-- BEGIN GENERATED ` + name + `[^>]*-->\n).*?(<!-- END GENERATED ` + name + ` -->)`)
	if !re.Match(data) {
		t.Fatalf("%s has no GENERATED %s block", doc, name)
	}
	out := re.ReplaceAllFunc(data, func(m []byte) []byte {
		sub := re.FindSubmatch(m)
		return append(append(append([]byte{}, sub[1]...), body...), sub[2]...)
	})
	if err := os.WriteFile(doc, out, 0o644); err != nil {
		t.Fatal(err)
	}
}
