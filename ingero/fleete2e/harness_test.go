package fleete2e

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"ingero.dev/common/cli"
	"ingero.dev/common/fleet/fleettest"
	dashboard "ingero.dev/ingero-dashboard"
	explain "ingero.dev/ingero-explain"
	export "ingero.dev/ingero-export"
	query "ingero.dev/ingero-query"
)

// syncBuf is a writer the server goroutine and the test share.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

var openLine = regexp.MustCompile(`open https?://(\S+)/`)

// node is a running dashboard: its address and how to stop it.
type node struct {
	addr string
	stop func()
}

// startDashboard runs `ingero dashboard` in this process on a free
// loopback port, with args (certificate, token, mTLS), and waits for its
// banner.
func startDashboard(t *testing.T, db string, args ...string) *node {
	t.Helper()
	out, errOut := &syncBuf{}, &syncBuf{}
	cmd := dashboard.New(cli.Stdio{In: strings.NewReader(""), Out: out, Err: errOut})
	must(t, cmd.Parse(append([]string{"-d", db, "--addr", "127.0.0.1:0"}, args...)))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- cmd.Run(ctx) }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if m := openLine.FindStringSubmatch(out.String()); m != nil {
			var once sync.Once
			n := &node{addr: m[1], stop: func() {
				once.Do(func() {
					cancel()
					if err := <-done; err != nil {
						t.Errorf("dashboard on %s: %v", m[1], err)
					}
				})
			}}
			t.Cleanup(n.stop)
			return n
		}
		select {
		case err := <-done:
			cancel()
			t.Fatalf("dashboard did not start: %v; stderr %s", err, errOut.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("no banner after 30 s: %q", out.String())
		}
	}
}

// pki is the fleet's test CA with a server certificate for loopback and
// a client certificate, and the bearer token both sides hold.
type pki struct {
	ca                    *fleettest.CA
	serverCert, serverKey string
	clientCert, clientKey string
	tokenFile             string
}

func newPKI(t *testing.T) *pki {
	ca := fleettest.NewCA(t, "fleet-test")
	p := &pki{ca: ca}
	p.serverCert, p.serverKey = ca.Issue(t, "dashboard", false, "localhost", "127.0.0.1")
	p.clientCert, p.clientKey = ca.Issue(t, "operator", true)
	p.tokenFile = filepath.Join(t.TempDir(), "token")
	must(t, os.WriteFile(p.tokenFile, []byte("f1eet-t0ken-7c2a\n"), 0o600))
	return p
}

// serverArgs start a dashboard with the test CA's certificate and the token.
func (p *pki) serverArgs() []string {
	return []string{"--tls-cert", p.serverCert, "--tls-key", p.serverKey, "--token-file", p.tokenFile}
}

// clientArgs are the fan-out flags that reach such a dashboard.
func (p *pki) clientArgs() []string {
	return []string{"--ca-cert", p.ca.CertFile, "--token-file", p.tokenFile}
}

// proxy fronts a dashboard over TLS with the test CA's certificate: it
// holds every request for delay and shifts the clock /api/v1/time
// reports by skew, as a node whose clock is off would.
func startProxy(t *testing.T, p *pki, target string, delay, skew time.Duration) string {
	t.Helper()
	u := &url.URL{Scheme: "https", Host: target}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ErrorLog = log.New(io.Discard, "", 0) // a stopped dashboard behind it is a test's point, not news
	rp.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: p.ca.Pool(), ServerName: "127.0.0.1"}}
	rp.ModifyResponse = func(resp *http.Response) error {
		if resp.Request.URL.Path != "/api/v1/time" || skew == 0 {
			return nil
		}
		var tj struct {
			TimestampNs int64 `json:"timestamp_ns"`
		}
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			return err
		}
		if err := json.Unmarshal(b, &tj); err != nil {
			return err
		}
		shifted := time.Unix(0, tj.TimestampNs).Add(skew)
		b = []byte(fmt.Sprintf(`{"timestamp_ns":%d,"timestamp":%q}`, shifted.UnixNano(), shifted.UTC().Format(time.RFC3339Nano)))
		resp.Body, resp.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
		resp.Header.Set("Content-Length", fmt.Sprint(len(b)))
		return nil
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
		rp.ServeHTTP(w, r)
	})
	cert, err := tls.LoadX509KeyPair(p.serverCert, p.serverKey)
	must(t, err)
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS13})
	must(t, err)
	srv := &http.Server{Handler: h, ErrorLog: nil}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// deadAddr is a loopback address where nothing listens.
func deadAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// result is one command's exit status and output.
type result struct {
	code     int
	out, err string
}

// run runs an ingero command in this process as a user would.
func run(t *testing.T, newCmd cli.Constructor, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	stdio := cli.Stdio{In: strings.NewReader(""), Out: &out, Err: &errOut}
	code := cli.Run(newCmd(stdio), args, stdio)
	return result{code, out.String(), errOut.String()}
}

var (
	runQuery   = func(t *testing.T, args ...string) result { return run(t, query.New, args...) }
	runExplain = func(t *testing.T, args ...string) result { return run(t, explain.New, args...) }
	runExport  = func(t *testing.T, args ...string) result { return run(t, export.New, args...) }
)

// jsonRows reads query --json output: one object per line.
func jsonRows(t *testing.T, out string) []map[string]any {
	t.Helper()
	var rows []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		dec := json.NewDecoder(strings.NewReader(line))
		dec.UseNumber()
		if err := dec.Decode(&m); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		rows = append(rows, m)
	}
	return rows
}

func fmtInt(n int) string { return fmt.Sprint(n) }
