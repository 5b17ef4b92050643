package mcp

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// fuzzTools are the tools FuzzToolArguments calls: every one that reads
// the recording. run_demo (it runs a demo for seconds) and get_check (it
// probes the host) take the same Common arguments through the same code.
var fuzzTools = []string{"get_trace_stats", "get_causal_chains", "get_per_process", "get_stacks",
	"graph_lifecycle", "graph_frequency", "run_sql", "query_fleet"}

// FuzzToolArguments sends arbitrary JSON as a tool's arguments. The answer
// is either a protocol error for arguments the schema refuses, or a tool
// result; never a recovered panic ("the server goes on"), never an empty
// answer, and the session answers the next call.
func FuzzToolArguments(f *testing.F) {
	for i := range fuzzTools {
		for _, args := range []string{`{}`, `{"since":"5m"}`, `{"from":"15:40","to":"15:45"}`, `{"since":"-1s"}`,
			`{"pids":[5031,0,4294967295]}`, `{"top_n":-1,"severity":"HIGH"}`, `{"top_n":2147483648}`,
			`{"query":"SELECT count(*) FROM events","limit":5}`, `{"query":"DELETE FROM event_chunks"}`,
			`{"stored":true,"annotations":true,"verbose":true}`, `{"since":"106751d"}`, `{"from":"@-9223372036"}`,
			`{"compact":false,"tsc":true}`, `{"nodes":["x"],"since":"1w"}`, `{"limit":0,"query":"SELECT ?"}`} {
			f.Add(uint8(i), args)
		}
	}
	cs := connect(f, trainingFixture().write(f))
	f.Fuzz(func(t *testing.T, which uint8, raw string) {
		var args map[string]any
		if json.Unmarshal([]byte(raw), &args) != nil {
			return
		}
		name := fuzzTools[int(which)%len(fuzzTools)]
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: name, Arguments: args})
		if err != nil {
			if ctx.Err() != nil {
				t.Fatalf("%s(%s): no answer: %v", name, raw, err)
			}
			return // the SDK's schema check refused the arguments
		}
		var text strings.Builder
		for _, c := range res.Content {
			if tc, ok := c.(*mcp.TextContent); ok {
				text.WriteString(tc.Text)
			}
		}
		if text.Len() == 0 {
			t.Fatalf("%s(%s): empty answer", name, raw)
		}
		if res.IsError && strings.Contains(text.String(), "the server goes on") {
			t.Fatalf("%s(%s) panicked: %s", name, raw, text.String())
		}
		if _, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "get_stacks"}); err != nil {
			t.Fatalf("after %s(%s) the session is gone: %v", name, raw, err)
		}
	})
}
