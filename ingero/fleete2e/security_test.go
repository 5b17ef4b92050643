package fleete2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ingero.dev/common/fleet"
)

func expectFailure(t *testing.T, r result, code int, want ...string) {
	t.Helper()
	if r.code != code {
		t.Errorf("exit %d, want %d; stderr %q", r.code, code, r.err)
	}
	for _, w := range want {
		if !strings.Contains(r.err, w) {
			t.Errorf("stderr lacks %q: %q", w, r.err)
		}
	}
}

// TestTLSAndToken: the client trusts only --ca-cert, sends the token
// only where asked, and never prints it.
func TestTLSAndToken(t *testing.T) {
	p := newPKI(t)
	rec := newRecording("gpu-a", 5*time.Second, 8_000_000, false)
	addr := startDashboard(t, rec.write(t), p.serverArgs()...).addr
	sql := "SELECT count(*) AS n FROM events"

	r := runQuery(t, "--nodes", addr, "--token-file", p.tokenFile, sql)
	expectFailure(t, r, 1, "not signed by a CA this client trusts", "--ca-cert")

	r = runQuery(t, "--nodes", addr, "--ca-cert", p.ca.CertFile, sql)
	expectFailure(t, r, 1, "401", "--token-file or $"+fleet.TokenEnv)

	wrong := filepath.Join(t.TempDir(), "wrong")
	must(t, os.WriteFile(wrong, []byte("not-the-token"), 0o600))
	r = runQuery(t, "--nodes", addr, "--ca-cert", p.ca.CertFile, "--token-file", wrong, sql)
	expectFailure(t, r, 1, "401")

	must(t, os.Chmod(wrong, 0o644))
	r = runQuery(t, "--nodes", addr, "--ca-cert", p.ca.CertFile, "--token-file", wrong, sql)
	expectFailure(t, r, 1, "chmod 600")

	r = runQuery(t, append([]string{"--nodes", addr}, append(p.clientArgs(), sql)...)...)
	if r.code != 0 || !strings.Contains(r.out, addr+"  "+itoa(len(rec.events))) {
		t.Fatalf("with CA and token: exit %d, out %q, err %q", r.code, r.out, r.err)
	}

	t.Setenv(fleet.TokenEnv, "f1eet-t0ken-7c2a")
	r = runQuery(t, "--nodes", addr, "--ca-cert", p.ca.CertFile, sql)
	if r.code != 0 {
		t.Fatalf("token from $%s: exit %d, err %q", fleet.TokenEnv, r.code, r.err)
	}
	r = runQuery(t, "--nodes", addr, "--ca-cert", p.ca.CertFile, "--token-file", p.tokenFile, sql)
	expectFailure(t, r, 2, "both --token-file and $"+fleet.TokenEnv)
	t.Setenv(fleet.TokenEnv, "")

	for _, r := range []result{r, runQuery(t, "--nodes", addr, "--ca-cert", p.ca.CertFile, "--token-file", wrong, sql)} {
		if strings.Contains(r.out+r.err, "f1eet-t0ken") || strings.Contains(r.out+r.err, "not-the-token") {
			t.Errorf("a token was echoed: %q %q", r.out, r.err)
		}
	}
}

// TestMutualTLS: a dashboard started with --client-ca completes no
// handshake without a client certificate its CA signed.
func TestMutualTLS(t *testing.T) {
	p := newPKI(t)
	rec := newRecording("gpu-a", 5*time.Second, 8_000_000, false)
	addr := startDashboard(t, rec.write(t), append(p.serverArgs(), "--client-ca", p.ca.CertFile)...).addr
	sql := "SELECT count(*) AS n FROM events"

	r := runQuery(t, append([]string{"--nodes", addr}, append(p.clientArgs(), sql)...)...)
	expectFailure(t, r, 1, "none of the 1 nodes answered")

	other := newPKI(t) // a client certificate from a CA the dashboard does not trust
	r = runQuery(t, append([]string{"--nodes", addr, "--client-cert", other.clientCert, "--client-key", other.clientKey}, append(p.clientArgs(), sql)...)...)
	expectFailure(t, r, 1, "none of the 1 nodes answered")

	r = runQuery(t, append([]string{"--nodes", addr, "--client-cert", p.clientCert}, append(p.clientArgs(), sql)...)...)
	expectFailure(t, r, 1, "--client-cert and --client-key go together")

	r = runQuery(t, append([]string{"--nodes", addr, "--client-cert", p.clientCert, "--client-key", p.clientKey}, append(p.clientArgs(), sql)...)...)
	if r.code != 0 || !strings.Contains(r.out, addr+"  "+itoa(len(rec.events))) {
		t.Fatalf("with the client certificate: exit %d, out %q, err %q", r.code, r.out, r.err)
	}
}

// TestPlainHTTP: http:// reaches a loopback --no-tls dashboard; off
// loopback it is refused before any connection unless --insecure, and a
// token never goes out in the clear.
func TestPlainHTTP(t *testing.T) {
	rec := newRecording("gpu-a", 5*time.Second, 8_000_000, false)
	addr := startDashboard(t, rec.write(t), "--no-tls").addr
	r := runQuery(t, "--nodes", "http://"+addr, "SELECT count(*) AS n FROM events")
	if r.code != 0 || !strings.Contains(r.out, "http://"+addr+"  "+itoa(len(rec.events))) {
		t.Fatalf("plain HTTP on loopback: exit %d, out %q, err %q", r.code, r.out, r.err)
	}
	r = runQuery(t, "--nodes", addr, "SELECT 1")
	expectFailure(t, r, 1, "plain HTTP", "http://HOST:PORT")

	// 192.0.2.0/24 is TEST-NET-1: nothing answers there, and the
	// refusal must come before any attempt.
	r = runQuery(t, "--nodes", "http://192.0.2.7:8080", "SELECT 1")
	expectFailure(t, r, 2, "not loopback", "--insecure")
	tok := filepath.Join(t.TempDir(), "token")
	must(t, os.WriteFile(tok, []byte("secret"), 0o600))
	r = runQuery(t, "--nodes", "http://192.0.2.7:8080", "--insecure", "--token-file", tok, "SELECT 1")
	expectFailure(t, r, 1, "in the clear")
	r = runQuery(t, "--nodes", "http://192.0.2.7:8080", "--insecure", "--node-timeout", "200ms", "SELECT 1")
	expectFailure(t, r, 1, "none of the 1 nodes answered")
}

// TestResponseCap: an answer over --max-response is refused, not held.
func TestResponseCap(t *testing.T) {
	p := newPKI(t)
	rec := newRecording("gpu-a", 5*time.Second, 8_000_000, false)
	addr := startDashboard(t, rec.write(t), p.serverArgs()...).addr
	r := runQuery(t, append([]string{"--nodes", addr, "--max-response", "4k"}, append(p.clientArgs(), "SELECT * FROM events")...)...)
	expectFailure(t, r, 1, "larger than --max-response")
}

// TestFleetUsage: mistakes on the command line are exit 2, naming the fix.
func TestFleetUsage(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--nodes", "h1", "SELECT 1"}, "has no port"},
		{[]string{"--nodes", "h1:8080,h1:8080", "SELECT 1"}, "twice"},
		{[]string{"--nodes", "ftp://h1:21", "SELECT 1"}, "neither https nor http"},
		{[]string{"--nodes", ",", "SELECT 1"}, "--nodes is empty"},
		{[]string{"--nodes", "h1:8080", "--node-timeout", "0s", "SELECT 1"}, "--node-timeout must be above 0"},
		{[]string{"--nodes", "h1:8080", "--annotations"}, "--annotations reads a local recording"},
	} {
		r := runQuery(t, tt.args...)
		expectFailure(t, r, 2, tt.want)
	}
	r := runExplain(t, "--nodes", "h1:8080", "--per-process")
	expectFailure(t, r, 2, "need a local recording")
	r = runExplain(t, "--nodes", "h1:8080", "--from", "2026-05-24T15:00:00Z")
	expectFailure(t, r, 2, "--from/--to do not apply to --nodes")
}
