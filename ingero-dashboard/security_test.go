package dashboard

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ingero.dev/common/cli"
	"ingero.dev/common/httpsec"
)

func fixtureDB(t *testing.T) string {
	_, path := fixtureCopy(t)
	return path
}

func TestTLS13Only(t *testing.T) {
	ts := startServer(t, "-d", fixtureDB(t))
	if !strings.HasPrefix(ts.url, "https://") || ts.fingerprint == "" {
		t.Fatalf("banner %q: want an https URL and the certificate's fingerprint", ts.out)
	}
	host := strings.TrimSuffix(strings.TrimPrefix(ts.url, "https://"), "/")
	old := ts.tlsConfig()
	old.MaxVersion = tls.VersionTLS12
	if c, err := tls.Dial("tcp", host, old); err == nil {
		c.Close()
		t.Fatal("a TLS 1.2 client was served")
	}
	cur := ts.tlsConfig()
	c, err := tls.Dial("tcp", host, cur)
	if err != nil {
		t.Fatalf("TLS 1.3 client refused: %v", err)
	}
	defer c.Close()
	st := c.ConnectionState()
	leaf := st.PeerCertificates[0]
	if st.Version != tls.VersionTLS13 || leaf.PublicKeyAlgorithm.String() != "ECDSA" || leaf.NotAfter.Sub(leaf.NotBefore).Hours() > 24.1 {
		t.Errorf("version %x, key %s, valid %s: want TLS 1.3 and a 24 h ECDSA certificate", st.Version, leaf.PublicKeyAlgorithm, leaf.NotAfter.Sub(leaf.NotBefore))
	}
}

func TestHostGuard(t *testing.T) {
	db := fixtureDB(t)
	ts := startServer(t, "-d", db)
	for _, h := range []string{"evil.example", "evil.example:8080", "10.1.2.3"} {
		for _, path := range []string{"/api/v1/time", "/"} {
			status, _, body := ts.request(t, http.MethodGet, path, nil, map[string]string{"Host": h})
			if status != http.StatusForbidden || !strings.Contains(string(body), "--allow-host") {
				t.Errorf("Host %s on %s: %d %s, want 403 naming --allow-host", h, path, status, body)
			}
		}
	}
	for _, h := range []string{"localhost", "localhost:1", "127.0.0.1", "[::1]:8080"} {
		if status, _, body := ts.request(t, http.MethodGet, "/api/v1/time", nil, map[string]string{"Host": h}); status != http.StatusOK {
			t.Errorf("Host %s: %d %s, want 200", h, status, body)
		}
	}
	allowed := startServer(t, "-d", db, "--allow-host", "gpu-node-07.lab,other.lab")
	for _, h := range []string{"gpu-node-07.lab", "GPU-NODE-07.lab:443", "other.lab"} {
		if status, _, body := allowed.request(t, http.MethodGet, "/api/v1/time", nil, map[string]string{"Host": h}); status != http.StatusOK {
			t.Errorf("allowed Host %s: %d %s", h, status, body)
		}
	}
}

func TestToken(t *testing.T) {
	db := fixtureDB(t)
	t.Setenv(TokenEnv, "s3cret-token")
	ts := startServer(t, "-d", db)
	if !strings.Contains(ts.out.String(), "API token required (from $"+TokenEnv+")") || strings.Contains(ts.out.String(), "s3cret") {
		t.Errorf("banner %q: want it to say a token is needed, without printing it", ts.out)
	}
	status, hdr, _ := ts.request(t, http.MethodGet, "/api/v1/overview", nil, nil)
	if status != http.StatusUnauthorized || !strings.HasPrefix(hdr.Get("WWW-Authenticate"), "Bearer") {
		t.Errorf("no token: %d %q, want 401 with a Bearer challenge", status, hdr.Get("WWW-Authenticate"))
	}
	for _, bad := range []string{"Bearer wrong", "Bearer s3cret-token-longer", "Basic czNjcmV0LXRva2Vu", "s3cret-token"} {
		if status, _, _ := ts.request(t, http.MethodGet, "/api/v1/overview", nil, map[string]string{"Authorization": bad}); status != http.StatusUnauthorized {
			t.Errorf("Authorization %q: %d, want 401", bad, status)
		}
	}
	if status, _, body := ts.request(t, http.MethodGet, "/api/v1/overview", nil, map[string]string{"Authorization": "Bearer s3cret-token"}); status != http.StatusOK {
		t.Errorf("right token: %d %s", status, body)
	}
	// The page holds no data and must load to ask for the token.
	if status, _, _ := ts.request(t, http.MethodGet, "/", nil, nil); status != http.StatusOK {
		t.Errorf("page without token: %d, want 200", status)
	}
}

func TestTokenFile(t *testing.T) {
	db := fixtureDB(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "token")
	must(t, os.WriteFile(good, []byte("from-a-file\n"), 0o600))
	ts := startServer(t, "-d", db, "--token-file", good)
	if status, _, _ := ts.request(t, http.MethodGet, "/api/v1/time", nil, map[string]string{"Authorization": "Bearer from-a-file"}); status != http.StatusOK {
		t.Errorf("token from file refused: %d", status)
	}
	shared := filepath.Join(dir, "shared")
	must(t, os.WriteFile(shared, []byte("x"), 0o644))
	if code, msg := runCommand(t, "-d", db, "--addr", "127.0.0.1:0", "--token-file", shared); code != cli.ExitRuntime || !strings.Contains(msg, "chmod 600") {
		t.Errorf("world-readable token file: exit %d %q, want 1 naming chmod 600", code, msg)
	}
	t.Setenv(TokenEnv, "also")
	if code, msg := runCommand(t, "-d", db, "--addr", "127.0.0.1:0", "--token-file", good); code != cli.ExitUsage || !strings.Contains(msg, "use one") {
		t.Errorf("file and env: exit %d %q, want a usage error", code, msg)
	}
}

func TestNoTokenFlag(t *testing.T) {
	// A token on the command line is visible to every user in /proc.
	if code, msg := runCommand(t, "--token", "x"); code != cli.ExitUsage || !strings.Contains(msg, "token") {
		t.Errorf("--token: exit %d %q, want a usage error", code, msg)
	}
}

func TestBodyCap(t *testing.T) {
	ts := startServer(t, "-d", fixtureDB(t), "--max-body", "1k")
	big := `{"sql": "SELECT 1 -- ` + strings.Repeat("x", 2000) + `"}`
	status, _, body := ts.request(t, http.MethodPost, "/api/v1/query", strings.NewReader(big), map[string]string{"Content-Type": "application/json"})
	if status != http.StatusRequestEntityTooLarge {
		t.Errorf("2 KB body under a 1 KiB cap: %d %s, want 413", status, body)
	}
	// Without a length up front the cap still holds.
	status, _, body = ts.request(t, http.MethodPost, "/api/v1/query", struct{ *strings.Reader }{strings.NewReader(big)}, nil)
	if status != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked 2 KB body: %d %s, want 413", status, body)
	}
	status, _, body = ts.request(t, http.MethodPost, "/api/v1/query", strings.NewReader(`{"sql": "SELECT 1"}`), nil)
	if status != http.StatusOK {
		t.Errorf("small body: %d %s", status, body)
	}
}

func TestNoTLS(t *testing.T) {
	db := fixtureDB(t)
	ts := startServer(t, "-d", db, "--no-tls")
	if !strings.HasPrefix(ts.url, "http://127.0.0.1:") {
		t.Fatalf("--no-tls URL %s", ts.url)
	}
	if status, _, _ := ts.request(t, http.MethodGet, "/api/v1/time", nil, nil); status != http.StatusOK {
		t.Errorf("plain HTTP on loopback: %d", status)
	}
	for _, args := range [][]string{
		{"-d", db, "--no-tls", "--addr", "0.0.0.0:0"},
		{"-d", db, "--no-tls", "--addr", ":8080"},
		{"-d", db, "--no-tls", "--addr", "127.0.0.1:0", "--tls-cert", "c.pem", "--tls-key", "k.pem"},
	} {
		if code, msg := runCommand(t, args...); code != cli.ExitUsage {
			t.Errorf("%q: exit %d %q, want 2", args, code, msg)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	db := fixtureDB(t)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{db}, cli.ExitUsage, "-d FILE"},
		{[]string{"-d", db, "--tls-cert", "c.pem", "--addr", "127.0.0.1:0"}, cli.ExitRuntime, "--tls-key go together"},
		{[]string{"-d", db, "--max-body", "0"}, cli.ExitUsage, "--max-body"},
		{[]string{"-d", filepath.Join(t.TempDir(), "missing.db")}, cli.ExitRuntime, "no database at"},
		{[]string{"-d", db, "--addr", "nonsense"}, cli.ExitRuntime, "nonsense"},
	} {
		code, msg := runCommand(t, tc.args...)
		if code != tc.code || !strings.Contains(msg, tc.want) || strings.Count(strings.TrimSpace(msg), "\n") > 0 {
			t.Errorf("%q: exit %d %q, want %d and one line with %q", tc.args, code, msg, tc.code, tc.want)
		}
	}
}

func TestKeyFileModes(t *testing.T) {
	db := fixtureDB(t)
	dir := t.TempDir()
	cert, key := writeCert(t, dir)
	ts := startServer(t, "-d", db, "--tls-cert", cert, "--tls-key", key)
	if strings.Contains(ts.out.String(), "self-signed") {
		t.Errorf("banner %q: says self-signed for a given certificate", ts.out)
	}
	if status, _, _ := ts.request(t, http.MethodGet, "/api/v1/time", nil, nil); status != http.StatusOK {
		t.Errorf("with --tls-cert: %d", status)
	}
	must(t, os.Chmod(key, 0o640))
	if code, msg := runCommand(t, "-d", db, "--addr", "127.0.0.1:0", "--tls-cert", cert, "--tls-key", key); code != cli.ExitRuntime || !strings.Contains(msg, "chmod 600") {
		t.Errorf("group-readable key: exit %d %q", code, msg)
	}
}

// writeCert writes a certificate and its owner-only key, as an operator
// with their own CA would hand them over.
func writeCert(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	c, err := httpsec.SelfSigned(nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(c.TLS.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	must(t, os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.TLS.Certificate[0]}), 0o644))
	must(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600))
	return certFile, keyFile
}
