package dashboard

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"ingero.dev/common/cli"
)

// lockedBuffer is an io.Writer the server and the test share.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testServer is the dashboard command running in the test's process,
// as a user starts it, on a port the kernel picks.
type testServer struct {
	url         string
	fingerprint string
	client      *http.Client
	out, errOut *lockedBuffer
	stop        func() error
}

var (
	openLine        = regexp.MustCompile(`open (https?://\S+/)`)
	fingerprintLine = regexp.MustCompile(`fingerprint(?: \(SHA-256\))?: ([0-9a-f]{64})`)
)

// startServer runs `ingero dashboard ARGS --addr 127.0.0.1:0` and waits
// for its banner. The client trusts exactly the certificate the banner
// names, as a careful user pinning the fingerprint would.
func startServer(t testing.TB, args ...string) *testServer {
	t.Helper()
	ts, err := tryStart(args...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := ts.stop(); err != nil {
			t.Errorf("dashboard exited with: %v", err)
		}
	})
	return ts
}

func tryStart(args ...string) (*testServer, error) {
	ts := &testServer{out: &lockedBuffer{}, errOut: &lockedBuffer{}}
	cmd := New(cli.Stdio{In: strings.NewReader(""), Out: ts.out, Err: ts.errOut})
	if err := cmd.Parse(append([]string{"--addr", "127.0.0.1:0"}, args...)); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- cmd.Run(ctx) }()
	ts.stop = func() error { cancel(); return <-done }
	deadline := time.After(10 * time.Second)
	for {
		if m := openLine.FindStringSubmatch(ts.out.String()); m != nil {
			ts.url = m[1]
			break
		}
		select {
		case err := <-done:
			cancel()
			return nil, fmt.Errorf("dashboard exited before serving: %w (stderr: %s)", err, ts.errOut)
		case <-deadline:
			cancel()
			return nil, fmt.Errorf("no banner after 10 s; stdout: %s", ts.out)
		case <-time.After(10 * time.Millisecond):
		}
	}
	if m := fingerprintLine.FindStringSubmatch(ts.out.String()); m != nil {
		ts.fingerprint = m[1]
	}
	ts.client = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: ts.tlsConfig()}}
	return ts, nil
}

// tlsConfig pins the banner's fingerprint instead of trusting a CA.
func (ts *testServer) tlsConfig() *tls.Config {
	return &tls.Config{
		InsecureSkipVerify: true, // replaced by the pin below
		VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
			sum := sha256.Sum256(raw[0])
			if got := hex.EncodeToString(sum[:]); got != ts.fingerprint {
				return fmt.Errorf("server certificate %s is not the one the banner named (%s)", got, ts.fingerprint)
			}
			return nil
		},
	}
}

// request sends one request and returns the status and body.
func (ts *testServer) request(t testing.TB, method, path string, body io.Reader, hdr map[string]string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, strings.TrimSuffix(ts.url, "/")+path, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	res, err := ts.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, res.Header, b
}

// getJSON fetches path, wants 200 and decodes the body into v.
func (ts *testServer) getJSON(t testing.TB, path string, v any) {
	t.Helper()
	status, _, body := ts.request(t, http.MethodGet, path, nil, nil)
	if status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, status, body)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("GET %s: %v in %s", path, err, body)
	}
}

// errorOf decodes an {"error": …} body.
func errorOf(t testing.TB, body []byte) string {
	t.Helper()
	var e struct {
		Error string `json:"error"`
	}
	if err := json.Unmarshal(body, &e); err != nil || e.Error == "" {
		t.Fatalf("want an {\"error\": …} body, got %s", body)
	}
	return e.Error
}

// runCommand runs the command to completion, as cli.Run would, and
// returns its exit code and stderr.
func runCommand(t testing.TB, args ...string) (int, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := cli.Run(New(cli.Stdio{In: strings.NewReader(""), Out: &out, Err: &errOut}), args, cli.Stdio{Out: &out, Err: &errOut})
	return code, errOut.String()
}
