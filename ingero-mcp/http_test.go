package mcp

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"ingero.dev/common/cli"
	"ingero.dev/common/httpsec"
)

// httpServer runs `ingero mcp --http 127.0.0.1:0 args…` in-process and
// returns its address; the server stops when the test ends.
func httpServer(t *testing.T, db string, args ...string) (addr string, stderr *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stderr = &syncBuffer{}
	bound := make(chan string, 1)
	c := &config{stdio: cli.Stdio{In: strings.NewReader(""), Out: io.Discard, Err: stderr},
		onListen: func(a string) { bound <- a }}
	cmd := newCommand(c)
	if err := cmd.Parse(append([]string{"--http", "127.0.0.1:0", "-d", db}, args...)); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("server: %v", err)
		}
	})
	select {
	case addr = <-bound:
		return addr, stderr
	case err := <-done:
		t.Fatalf("server did not start: %v (%s)", err, stderr)
	case <-time.After(30 * time.Second):
		t.Fatal("server did not start")
	}
	return "", nil
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// bearer adds a token to every request.
type bearer struct {
	token string
	next  http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.next.RoundTrip(r)
}

// insecure trusts the self-signed certificate, as curl -k does; the
// certificate itself is checked by httpsec's tests.
func insecure() *http.Transport {
	return &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS13}}
}

func httpClient(t *testing.T, url string, rt http.RoundTripper) (*mcp.ClientSession, error) {
	client := mcp.NewClient(&mcp.Implementation{Name: "ingero-test", Version: "1"}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cs, err := client.Connect(ctx, &mcp.StreamableClientTransport{Endpoint: url, HTTPClient: &http.Client{Transport: rt}, MaxRetries: -1}, nil)
	if err == nil {
		t.Cleanup(func() { cs.Close() })
	}
	return cs, err
}

func TestHTTPSWithoutToken(t *testing.T) {
	t.Setenv(TokenEnv, "")
	addr, stderr := httpServer(t, trainingFixture().write(t))
	if !strings.Contains(stderr.String(), "self-signed certificate valid 24h, SHA-256 fingerprint") {
		t.Errorf("startup line: %s", stderr)
	}
	cs, err := httpClient(t, "https://"+addr+"/mcp", insecure())
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"get_trace_stats", "get_causal_chains", "get_per_process", "get_stacks", "graph_frequency"} {
		ok(t, cs, name, nil)
	}
	ok(t, cs, "graph_lifecycle", map[string]any{"pid": 4821})
	ok(t, cs, "run_sql", map[string]any{"query": "SELECT count(*) FROM events"})
	ok(t, cs, "get_check", nil)
	fails(t, cs, "query_fleet", nil, "--nodes")
}

func TestHTTPSWithToken(t *testing.T) {
	t.Setenv(TokenEnv, "s3cret-token")
	addr, stderr := httpServer(t, trainingFixture().write(t))
	if !strings.Contains(stderr.String(), "bearer token from $INGERO_MCP_TOKEN required") {
		t.Errorf("startup line: %s", stderr)
	}
	url := "https://" + addr + "/mcp"
	if _, err := httpClient(t, url, insecure()); err == nil {
		t.Error("a client without the token connected")
	}
	if _, err := httpClient(t, url, bearer{"wrong", insecure()}); err == nil {
		t.Error("a client with a wrong token connected")
	}
	// The refusal itself: 401 with a challenge, before any MCP.
	req, _ := http.NewRequest("POST", url, strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"ping"}`))
	resp, err := (&http.Client{Transport: insecure()}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
		t.Errorf("no token: %d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
	cs, err := httpClient(t, url, bearer{"s3cret-token", insecure()})
	if err != nil {
		t.Fatal(err)
	}
	ok(t, cs, "get_causal_chains", nil)
	ok(t, cs, "run_sql", map[string]any{"query": "SELECT 1"})
}

func TestHTTPSRefusesTLS12AndForeignHosts(t *testing.T) {
	t.Setenv(TokenEnv, "")
	addr, _ := httpServer(t, trainingFixture().write(t), "--allow-host", "gpu-node-07.internal")
	conn, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true, MaxVersion: tls.VersionTLS12})
	if err == nil {
		conn.Close()
		t.Fatal("a TLS 1.2 handshake succeeded")
	}
	client := &http.Client{Transport: insecure()}
	for host, want := range map[string]int{"evil.example": 403, "localhost": 200, "gpu-node-07.internal": 200, "127.0.0.1": 200} {
		req, _ := http.NewRequest("POST", "https://"+addr+"/mcp", strings.NewReader(
			`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`))
		req.Host = host
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("Host %s: %d %s, want %d", host, resp.StatusCode, body, want)
		}
	}
	// A body over the cap is refused before it is read.
	req, _ := http.NewRequest("POST", "https://"+addr+"/mcp", bytes.NewReader(make([]byte, httpsec.DefaultMaxBody+1)))
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized body: %d", resp.StatusCode)
	}
}

func TestHTTPFlagErrors(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "key.pem")
	if err := os.WriteFile(key, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--http", "0.0.0.0:0", "--no-tls"}, 2, "allowed on loopback only, not on 0.0.0.0: use --http 127.0.0.1:PORT"},
		{[]string{"--http", "nonsense"}, 2, "want HOST:PORT"},
		{[]string{"--no-tls"}, 2, "apply to --http only"},
		{[]string{"--http", "127.0.0.1:0", "--tls-cert", "c.pem"}, 2, "go together"},
		{[]string{"--http", "127.0.0.1:0", "--tls-cert", key, "--tls-key", key}, 1, "readable by group or others"},
		{[]string{"--token", "abc"}, 2, "set $INGERO_MCP_TOKEN"},
		{[]string{"extra"}, 2, "takes no arguments"},
	} {
		var errb bytes.Buffer
		code := cli.Run(New(cli.Stdio{In: strings.NewReader(""), Out: io.Discard, Err: &errb}), tc.args, cli.Stdio{Out: io.Discard, Err: &errb})
		if code != tc.code || !strings.Contains(errb.String(), tc.want) || strings.Count(strings.TrimSpace(errb.String()), "\n") > 0 {
			t.Errorf("%v: exit %d, %q; want exit %d saying %q in one line", tc.args, code, errb.String(), tc.code, tc.want)
		}
	}
}

func TestPlainHTTPOnLoopback(t *testing.T) {
	t.Setenv(TokenEnv, "")
	addr, _ := httpServer(t, trainingFixture().write(t), "--no-tls")
	cs, err := httpClient(t, "http://"+addr+"/mcp", http.DefaultTransport)
	if err != nil {
		t.Fatal(err)
	}
	ok(t, cs, "get_trace_stats", nil)
}

// The spec's curl examples: one tools/call, no initialize, no session,
// answered in plain JSON that jq reads.
func TestHTTPOneShotCall(t *testing.T) {
	t.Setenv(TokenEnv, "")
	addr, _ := httpServer(t, trainingFixture().write(t))
	req, _ := http.NewRequest("POST", "https://localhost:"+addr[strings.LastIndex(addr, ":")+1:]+"/mcp", strings.NewReader(
		`{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"get_trace_stats","arguments":{"tsc":false}}}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	resp, err := (&http.Client{Transport: insecure()}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got struct {
		ID     int `json:"id"`
		Result struct {
			Content []struct {
				Text string `json:"text"`
			} `json:"content"`
			Structured map[string]any `json:"structuredContent"`
		} `json:"result"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || resp.StatusCode != 200 {
		t.Fatalf("status %d, %v", resp.StatusCode, err)
	}
	if got.ID != 3 || got.Result.Structured["mode"] != "percentiles" || !strings.Contains(got.Result.Content[0].Text, "\n  \"window\"") {
		t.Errorf("one-shot answer: %+v", got)
	}
}

// A browser page on another local origin passes the Host guard but not
// the cross-origin check.
func TestHTTPRefusesCrossOriginPages(t *testing.T) {
	t.Setenv(TokenEnv, "")
	addr, _ := httpServer(t, trainingFixture().write(t))
	port := addr[strings.LastIndex(addr, ":")+1:]
	for origin, want := range map[string]int{"http://localhost:3000": 403, "https://localhost:" + port: 200, "": 200} {
		req, _ := http.NewRequest("POST", "https://localhost:"+port+"/mcp", strings.NewReader(
			`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_trace_stats","arguments":{}}}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		resp, err := (&http.Client{Transport: insecure()}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("Origin %q: %d, want %d", origin, resp.StatusCode, want)
		}
	}
}
