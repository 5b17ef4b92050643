package concurrency

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// sumSQL is what the query readers (CLI, dashboard, MCP) ask: it reads
// every chunk summary trace has committed.
const sumSQL = "SELECT op, sum(count) FROM chunk_ops GROUP BY op"

// dashboardPolls are the GETs of one page refresh (ingero-dashboard/web).
var dashboardPolls = []string{"overview", "ops?since=5m", "chains?since=5m", "processes?since=5m", "snapshots?since=5m", "graph-metrics?since=5m"}

// readerKinds are the four read-only commands, in the order tallies print.
var readerKinds = []string{"explain", "query", "dashboard", "mcp"}

// tally counts reader runs: one explain or query process, one dashboard
// request, one MCP tool call.
type tally struct {
	mu       sync.Mutex
	runs     map[string]int
	failed   map[string]int
	busy     int      // failures that name SQLITE_BUSY or a lock
	examples []string // the first few failures, whole
}

func newTally() *tally { return &tally{runs: map[string]int{}, failed: map[string]int{}} }

func (t *tally) add(kind string, err error, out []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.runs[kind]++
	if err == nil {
		return
	}
	t.failed[kind]++
	msg := fmt.Sprintf("%s: %v: %s", kind, err, bytes.TrimSpace(out))
	if l := strings.ToLower(msg); strings.Contains(l, "busy") || strings.Contains(l, "locked") {
		t.busy++
	}
	if len(t.examples) < 5 {
		t.examples = append(t.examples, msg)
	}
}

func (t *tally) failures() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for _, f := range t.failed {
		n += f
	}
	return n
}

// String is "explain 120/0 query 130/0 ...": runs/failures by kind.
func (t *tally) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var b strings.Builder
	for _, k := range readerKinds {
		fmt.Fprintf(&b, "%s %d/%d ", k, t.runs[k], t.failed[k])
	}
	fmt.Fprintf(&b, "(runs/failures; %d name busy or locked)", t.busy)
	return b.String()
}

// buildReaders has the reader binaries ready before a timed window opens:
// go build inside it would eat the window.
func buildReaders(t testing.TB) {
	t.Helper()
	for _, k := range readerKinds {
		binary(t, k)
	}
}

// startReaders runs perKind readers of each kind on db until ctx ends,
// each looping as fast as it is answered; wait returns when all are done
// and the servers stopped, so that none idles through a later round. The
// dashboard and MCP servers are started first, one per reader, as a
// browser tab or an agent each has its own.
func startReaders(t testing.TB, ctx context.Context, db string, perKind int, tl *tally) (wait func()) {
	t.Helper()
	explain, query := binary(t, "explain"), binary(t, "query")
	var loops, stops []func()
	for range perKind {
		dashboard, stopDashboard := dashboardLoop(t, ctx, db, tl)
		agent, stopAgent := mcpLoop(t, ctx, db, tl)
		loops = append(loops,
			func() { processLoop(ctx, tl, "explain", explain, "-d", db, "--since", "2s") },
			func() { processLoop(ctx, tl, "query", query, "-d", db, sumSQL) },
			dashboard, agent)
		stops = append(stops, stopDashboard, stopAgent)
	}
	var wg sync.WaitGroup
	for _, loop := range loops {
		wg.Go(loop)
	}
	return func() {
		wg.Wait()
		for _, stop := range stops {
			stop()
		}
	}
}

// processLoop runs a fresh process per run; one started before ctx ends
// runs to its end, so the end of the window fails nothing.
func processLoop(ctx context.Context, tl *tally, kind string, argv ...string) {
	for ctx.Err() == nil {
		out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput()
		tl.add(kind, err, out)
	}
}

func dashboardLoop(t testing.TB, ctx context.Context, db string, tl *tally) (loop, stop func()) {
	t.Helper()
	cmd := exec.Command(binary(t, "dashboard"), "-d", db, "--addr", "127.0.0.1:0", "--no-tls")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting ingero dashboard: %v", err)
	}
	var once sync.Once
	stop = func() { once.Do(func() { cmd.Process.Kill(); cmd.Wait() }) }
	t.Cleanup(stop)
	url := ""
	sc := bufio.NewScanner(out)
	for url == "" && sc.Scan() {
		if u, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "open "); ok {
			url = u
		}
	}
	if url == "" {
		t.Fatalf("ingero dashboard printed no address; stderr:\n%s", stderr.String())
	}
	go io.Copy(io.Discard, out)
	client := &http.Client{Timeout: time.Minute}
	return func() {
		for ctx.Err() == nil {
			for _, p := range dashboardPolls {
				tl.addHTTP(client.Get(url + "api/v1/" + p))
			}
			body := strings.NewReader(fmt.Sprintf(`{"sql": %q}`, sumSQL))
			tl.addHTTP(client.Post(url+"api/v1/query", "application/json", body))
		}
	}, stop
}

// addHTTP counts one dashboard request; anything but 200 fails it.
func (t *tally) addHTTP(res *http.Response, err error) {
	if err != nil {
		t.add("dashboard", err, nil)
		return
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err == nil && res.StatusCode != http.StatusOK {
		err = fmt.Errorf("%s %s", res.Request.URL.Path, res.Status)
	}
	t.add("dashboard", err, body)
}

// mcpLoop is an agent: the Go SDK's client over stdio, alternating the
// window statistics and SQL tools.
func mcpLoop(t testing.TB, ctx context.Context, db string, tl *tally) (loop, stop func()) {
	t.Helper()
	cmd := exec.Command(binary(t, "mcp"), "-d", db)
	cmd.Env = append(os.Environ(), "INGERO_CHECK=", "INGERO_DEMO=")
	client := mcp.NewClient(&mcp.Implementation{Name: "ingero-concurrency", Version: "1"}, nil)
	cs, err := client.Connect(context.Background(), &mcp.CommandTransport{Command: cmd}, nil)
	if err != nil {
		t.Fatalf("starting ingero mcp: %v", err)
	}
	var once sync.Once
	stop = func() { once.Do(func() { cs.Close() }) }
	t.Cleanup(stop)
	calls := []mcp.CallToolParams{
		{Name: "get_trace_stats", Arguments: map[string]any{"since": "2s"}},
		{Name: "run_sql", Arguments: map[string]any{"query": sumSQL}},
	}
	return func() {
		for i := 0; ctx.Err() == nil; i++ {
			callCtx, cancel := context.WithTimeout(context.Background(), time.Minute)
			res, err := cs.CallTool(callCtx, &calls[i%len(calls)])
			cancel()
			var text []byte
			if err == nil && res.IsError {
				for _, c := range res.Content {
					if tc, ok := c.(*mcp.TextContent); ok {
						text = append(text, tc.Text...)
					}
				}
				err = fmt.Errorf("%s answered an error", calls[i%len(calls)].Name)
			}
			tl.add("mcp", err, text)
		}
	}, stop
}
