package mcp

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ingero.dev/common/httpsec"
	"ingero.dev/common/store/storetest"
)

// clients returns where test/mcp-clients.sh installed Node, the MCP
// Inspector and the conformance suite.
func clients(t *testing.T) (node, dir string) {
	t.Helper()
	dir = os.Getenv("INGERO_MCP_CLIENTS")
	if dir == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			unavailable(t, "no cache directory: "+err.Error())
		}
		dir = filepath.Join(cache, "ingero", "mcp-clients")
	}
	node = filepath.Join(dir, "node_modules", "node", "bin", "node")
	for _, p := range []string{node, filepath.Join(dir, "node_modules", ".bin", "mcp-inspector"), filepath.Join(dir, "node_modules", ".bin", "conformance")} {
		if _, err := os.Stat(p); err != nil {
			unavailable(t, "the MCP Inspector and conformance suite are not installed (run test/mcp-clients.sh): "+err.Error())
		}
	}
	return node, dir
}

// npmBin runs an installed npm program with our Node first on $PATH.
func npmBin(t *testing.T, node, dir, name string, env []string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(dir, "node_modules", ".bin", name), args...)
	cmd.Env = append(os.Environ(), append(env, "PATH="+filepath.Dir(node)+":"+os.Getenv("PATH"))...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// inspect runs one `mcp-inspector --cli` call and decodes its JSON.
func inspect(t *testing.T, node, dir string, env []string, args ...string) map[string]any {
	t.Helper()
	out, err := npmBin(t, node, dir, "mcp-inspector", env, append([]string{"--cli"}, args...)...)
	if err != nil {
		t.Fatalf("mcp-inspector --cli %v: %v\n%s", args, err, out)
	}
	// The server's own stderr line comes first; the answer is the JSON
	// object after it.
	var v map[string]any
	start := strings.Index(out, "{")
	if start < 0 {
		t.Fatalf("mcp-inspector %v printed no JSON:\n%s", args, out)
	}
	if err := json.NewDecoder(strings.NewReader(out[start:])).Decode(&v); err != nil {
		t.Fatalf("mcp-inspector %v: %v\n%s", args, err, out)
	}
	return v
}

// The MCP Inspector's CLI, a real third-party client, lists the tools and
// calls three of them over stdio, and one over HTTPS with a token.
func TestInspectorCLI(t *testing.T) {
	node, dir := clients(t)
	bin := filepath.Join(binaries(t), "ingero-mcp")
	db := trainingFixture().write(t)
	before := storetest.Capture(t, db, true)
	server := []string{bin, "-d", db}

	// --strict: every schema must also suit single-type dialects (Gemini, OpenAPI 3.0).
	list := inspect(t, node, dir, nil, append(server, "--method", "tools/list", "--strict")...)
	if n := len(path(list, "tools").([]any)); n != len(toolNames) {
		t.Errorf("tools/list: %d tools", n)
	}
	stats := inspect(t, node, dir, nil, append(server, "--method", "tools/call", "--tool-name", "get_trace_stats")...)
	if path(stats, "isError") == true || path(stats, "structuredContent", "mode") != "percentiles" {
		t.Errorf("get_trace_stats: %v", stats)
	}
	chains := inspect(t, node, dir, nil, append(server, "--method", "tools/call", "--tool-name", "get_causal_chains",
		"--tool-arg", "top_n=1", "--tool-arg", "severity=HIGH")...)
	if rc, _ := path(chains, "structuredContent", "chains", 0, "root_cause").(string); !strings.Contains(rc, "logrotate") {
		t.Errorf("get_causal_chains: %v", chains)
	}
	sql := inspect(t, node, dir, nil, append(server, "--method", "tools/call", "--tool-name", "run_sql",
		"--tool-arg", "query=SELECT count(*) AS n FROM events WHERE pid = 4821")...)
	if n, _ := path(sql, "structuredContent", "rows", 0, 0).(float64); n < 10000 {
		t.Errorf("run_sql: %v", sql)
	}
	prompt := inspect(t, node, dir, nil, append(server, "--method", "prompts/get", "--prompt-name", "investigate")...)
	if text, _ := path(prompt, "messages", 0, "content", "text").(string); !strings.Contains(text, "get_trace_stats") {
		t.Errorf("prompts/get: %v", prompt)
	}

	// HTTPS with a certificate Node trusts, and the token.
	t.Setenv(TokenEnv, "inspector-token")
	certFile, keyFile := certPair(t)
	addr, _ := httpServer(t, db, "--tls-cert", certFile, "--tls-key", keyFile)
	env := []string{"NODE_EXTRA_CA_CERTS=" + certFile}
	remote := inspect(t, node, dir, env, "https://"+addr+"/mcp", "--transport", "http",
		"--header", "Authorization: Bearer inspector-token", "--method", "tools/call", "--tool-name", "get_per_process")
	if path(remote, "structuredContent", "contention") != true {
		t.Errorf("get_per_process over HTTPS: %v", remote)
	}
	if out, err := npmBin(t, node, dir, "mcp-inspector", env, "--cli", "https://"+addr+"/mcp", "--transport", "http", "--method", "tools/list"); err == nil {
		t.Errorf("the inspector listed tools without the token:\n%s", out)
	}
	storetest.Capture(t, db, true).Same(t, before, "after the inspector")
}

// The official conformance suite against --http, over HTTPS and over
// plain HTTP on loopback: everything passes but the scenarios of the
// committed baseline, which need the suite's own fixture tools, resources
// and prompts. Over HTTPS the suite runs as curl -k does: its DNS
// rebinding scenario sends Host: evil.example.com, which Node would
// otherwise refuse itself for not matching the certificate, before our
// Host guard can answer 403.
func TestConformance(t *testing.T) {
	node, dir := clients(t)
	t.Setenv(TokenEnv, "")
	baseline, err := filepath.Abs(filepath.Join("..", "test", "mcp-conformance-baseline.yml"))
	if err != nil {
		t.Fatal(err)
	}
	db := trainingFixture().write(t)
	certFile, keyFile := certPair(t)
	for _, tc := range []struct {
		name, scheme string
		args, env    []string
	}{
		{"https", "https", []string{"--tls-cert", certFile, "--tls-key", keyFile}, []string{"NODE_TLS_REJECT_UNAUTHORIZED=0"}},
		{"loopback-http", "http", []string{"--no-tls"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr, _ := httpServer(t, db, tc.args...)
			out, err := npmBin(t, node, dir, "conformance", append(tc.env, "NODE_NO_WARNINGS=1"),
				"server", "--url", tc.scheme+"://"+addr+"/mcp", "--expected-failures", baseline, "-o", outDir(t))
			if err != nil {
				t.Fatalf("conformance: %v\n%s", err, tailLines(out, 60))
			}
			t.Logf("%s", tailLines(out, 3))
		})
	}
}

func tailLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// certPair writes a self-signed certificate for localhost and 127.0.0.1,
// and its key (owner-only), as PEM files.
func certPair(t *testing.T) (certFile, keyFile string) {
	t.Helper()
	c, err := httpsec.SelfSigned(nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(c.TLS.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.TLS.Certificate[0]}), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

func outDir(t *testing.T) string {
	if d := os.Getenv("INGERO_CONFORMANCE_OUT"); d != "" {
		return d
	}
	return t.TempDir()
}
