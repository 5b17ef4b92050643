package fleete2e

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"ingero.dev/common/cli"
	ingeromcp "ingero.dev/ingero-mcp"
)

// TestMCPQueryFleet: `ingero mcp --nodes …` over stdio, driven by the
// MCP SDK's client, answers query_fleet from the same dashboards as the
// CLI: merged chains and the straggler, SQL rows per node, and the down
// node in failed.
func TestMCPQueryFleet(t *testing.T) {
	f := startFleet(t, 0)
	local := newRecording("gpu-local", 2*time.Second, 8_000_000, false).write(t)
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	errOut := &syncBuf{}
	cmd := ingeromcp.New(cli.Stdio{In: inR, Out: outW, Err: errOut})
	args := append([]string{"-d", local}, f.nodes(f.addrA, f.addrB, f.addrC, f.dead)...)
	must(t, cmd.Parse(args))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- cmd.Run(ctx); outW.Close() }()
	t.Cleanup(func() {
		inW.Close()
		cancel()
		<-done
	})
	client := mcp.NewClient(&mcp.Implementation{Name: "fleet-test", Version: "1"}, nil)
	cs, err := client.Connect(ctx, &mcp.IOTransport{Reader: outR, Writer: inW}, nil)
	if err != nil {
		t.Fatalf("connect: %v; stderr %s", err, errOut.String())
	}
	defer cs.Close()

	callFleet := func(args map[string]any) map[string]any {
		t.Helper()
		args["tsc"] = false
		res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "query_fleet", Arguments: args})
		if err != nil {
			t.Fatal(err)
		}
		var text string
		for _, c := range res.Content {
			if tc, ok := c.(*mcp.TextContent); ok {
				text += tc.Text
			}
		}
		if res.IsError {
			t.Fatalf("query_fleet %v: %s", args, text)
		}
		var out map[string]any
		must(t, json.Unmarshal([]byte(text), &out))
		return out
	}

	ch := callFleet(map[string]any{"action": "chains", "since": "1h"})
	chains, _ := ch["chains"].([]any)
	if len(chains) != 2 {
		t.Fatalf("%d chains, want 2: %v", len(chains), ch)
	}
	low, _ := chains[1].(map[string]any)
	if seen, _ := low["seen_on"].([]any); len(seen) != 3 {
		t.Errorf("contention chain seen on %d nodes, want 3: %v", len(seen), low)
	}
	st, _ := ch["stragglers"].([]any)
	if len(st) != 1 || !strings.Contains(st[0].(map[string]any)["node"].(string), f.addrB) {
		t.Errorf("stragglers %v, want %s", st, f.addrB)
	}
	failed, _ := ch["failed"].([]any)
	if len(failed) != 1 || !strings.Contains(failed[0].(string), f.dead) {
		t.Errorf("failed %v, want the down node", failed)
	}
	if sk, _ := ch["skew"].([]any); len(sk) != 3 {
		t.Errorf("skew for %d nodes, want 3", len(sk))
	}

	sql := callFleet(map[string]any{"action": "sql", "query": "SELECT count(*) AS n FROM events"})
	rows, _ := sql["rows"].([]any)
	want := map[string]int{f.addrA: len(f.a.events), f.addrB: len(f.b.events), f.addrC: len(f.c.events)}
	if len(rows) != 3 {
		t.Fatalf("rows %v, want one per live node", rows)
	}
	for _, r := range rows {
		row := r.([]any)
		// The node cell is fenced (it came from the recording's side).
		node := strings.Trim(row[0].(string), "«»")
		if n, _ := row[1].(float64); int(n) != want[node] {
			t.Errorf("row %v, want %d events for %s", row, want[node], node)
		}
	}
}
