package httpsec

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// startTLS runs h behind a generated certificate on a free loopback port
// and returns its address and a client that trusts that certificate.
func startTLS(t *testing.T, h http.Handler) (string, *x509.CertPool) {
	t.Helper()
	cert, err := SelfSigned(nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert.TLS.Leaf)
	ctx, cancel := context.WithCancel(context.Background())
	bound := make(chan net.Addr, 1)
	srv := &Server{Addr: "127.0.0.1:0", Handler: h, TLS: ServerConfig(cert), OnListen: func(a net.Addr) { bound <- a }}
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("server: %v", err)
		}
	})
	select {
	case a := <-bound:
		return a.String(), pool
	case err := <-done:
		t.Fatalf("server did not start: %v", err)
	}
	return "", nil
}

func TestOnlyTLS13IsNegotiated(t *testing.T) {
	addr, pool := startTLS(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))

	c12, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, ServerName: "localhost", MaxVersion: tls.VersionTLS12})
	if err == nil {
		c12.Close()
		t.Fatal("a client limited to TLS 1.2 completed a handshake")
	}

	c13, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, ServerName: "localhost"})
	if err != nil {
		t.Fatalf("TLS 1.3 handshake: %v", err)
	}
	defer c13.Close()
	if v := c13.ConnectionState().Version; v != tls.VersionTLS13 {
		t.Fatalf("negotiated %x, want TLS 1.3", v)
	}
}

func TestSelfSignedCoversLoopbackAndListenHost(t *testing.T) {
	cert, err := SelfSigned(ListenHosts("10.1.2.3:8080"), time.Unix(1_700_000_000, 0))
	if err != nil {
		t.Fatal(err)
	}
	leaf := cert.TLS.Leaf
	for _, h := range []string{"localhost", "127.0.0.1", "::1", "10.1.2.3"} {
		if err := leaf.VerifyHostname(h); err != nil {
			t.Errorf("certificate does not cover %s: %v", h, err)
		}
	}
	if got := leaf.NotAfter.Sub(time.Unix(1_700_000_000, 0)); got != SelfSignedLifetime {
		t.Errorf("lifetime %v, want %v", got, SelfSignedLifetime)
	}
	if !cert.SelfSigned || len(cert.Fingerprint) != 64 {
		t.Errorf("self-signed %v, fingerprint %q", cert.SelfSigned, cert.Fingerprint)
	}
}

func TestLoadRefusesSharedKeyAndHalfAPair(t *testing.T) {
	dir := t.TempDir()
	cert, err := SelfSigned(nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile := writePair(t, dir, cert)

	if _, err := LoadOrGenerate(certFile, "", nil); err == nil {
		t.Error("a certificate without its key was accepted")
	}
	if err := os.Chmod(keyFile, 0o640); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrGenerate(certFile, keyFile, nil); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("group-readable key: got %v, want a refusal naming chmod 600", err)
	}
	if err := os.Chmod(keyFile, 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := LoadOrGenerate(certFile, keyFile, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.SelfSigned || got.Fingerprint != cert.Fingerprint {
		t.Errorf("loaded %+v, want the written certificate", got)
	}
}

func writePair(t *testing.T, dir string, c *Cert) (string, string) {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(c.TLS.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.TLS.Certificate[0]})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	if err := os.WriteFile(certFile, certPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

func TestGuard(t *testing.T) {
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.ReadAll(r.Body); err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				http.Error(w, "too big", http.StatusRequestEntityTooLarge)
				return
			}
		}
		io.WriteString(w, "ok")
	})
	g := &Guard{AllowHosts: []string{"gpu-node-07.example"}, Token: "s3cret", TokenCookie: "ingero_token", MaxBody: 16}
	h := g.Wrap(echo)
	cases := []struct {
		name, host, auth, cookie, body string
		chunked                        bool
		want                           int
	}{
		{name: "loopback name with token", host: "localhost:8080", auth: "Bearer s3cret", want: 200},
		{name: "loopback IPv6", host: "[::1]:8080", auth: "bearer s3cret", want: 200},
		{name: "allowed name", host: "GPU-node-07.example:8080", auth: "Bearer s3cret", want: 200},
		{name: "rebinding name", host: "evil.example:8080", auth: "Bearer s3cret", want: 403},
		{name: "foreign IP", host: "10.0.0.9", auth: "Bearer s3cret", want: 403},
		{name: "no token", host: "127.0.0.1", want: 401},
		{name: "wrong token", host: "127.0.0.1", auth: "Bearer s3cret2", want: 401},
		{name: "basic scheme", host: "127.0.0.1", auth: "Basic s3cret", want: 401},
		{name: "cookie token", host: "127.0.0.1", cookie: "s3cret", want: 200},
		{name: "body at cap", host: "127.0.0.1", auth: "Bearer s3cret", body: strings.Repeat("x", 16), want: 200},
		{name: "body over cap", host: "127.0.0.1", auth: "Bearer s3cret", body: strings.Repeat("x", 17), want: 413},
		{name: "chunked body over cap", host: "127.0.0.1", auth: "Bearer s3cret", body: strings.Repeat("x", 64), chunked: true, want: 413},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", "/api", strings.NewReader(c.body))
			req.Host = c.host
			if c.chunked {
				req.ContentLength = -1
			}
			if c.auth != "" {
				req.Header.Set("Authorization", c.auth)
			}
			if c.cookie != "" {
				req.AddCookie(&http.Cookie{Name: "ingero_token", Value: c.cookie})
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != c.want {
				t.Fatalf("status %d (%s), want %d", rec.Code, strings.TrimSpace(rec.Body.String()), c.want)
			}
			if c.want == 401 && !strings.HasPrefix(rec.Header().Get("WWW-Authenticate"), "Bearer realm=") {
				t.Errorf("401 without a Bearer WWW-Authenticate: %q", rec.Header().Get("WWW-Authenticate"))
			}
		})
	}
}

func TestCheckPlaintext(t *testing.T) {
	for addr, ok := range map[string]bool{
		"127.0.0.1:8080": true, "[::1]:8080": true, "localhost:0": true,
		":8080": false, "0.0.0.0:8080": false, "10.0.0.5:8080": false, "8080": false,
	} {
		err := CheckPlaintext("--addr", addr)
		if (err == nil) != ok {
			t.Errorf("CheckPlaintext(%q) = %v, want ok=%v", addr, err, ok)
		}
		if err != nil && !strings.Contains(err.Error(), "--addr") {
			t.Errorf("CheckPlaintext(%q) = %v, want the flag named", addr, err)
		}
	}
}

func TestTokenFromFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "token")
	if err := os.WriteFile(path, []byte("  abc\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if tok, err := TokenFromFile(path); err != nil || tok != "abc" {
		t.Fatalf("TokenFromFile = %q, %v", tok, err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := TokenFromFile(path); err == nil {
		t.Error("a world-readable token file was accepted")
	}
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := TokenFromFile(empty); err == nil {
		t.Error("an empty token file was accepted")
	}
}
