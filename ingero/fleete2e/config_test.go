package fleete2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ingero.dev/common/fleet"
)

// TestNodesFromConfig: fleet.nodes of ingero.yaml ($INGERO_CONFIG) is
// asked when neither --nodes nor -d is given, with its CA and token
// paths taken from beside the file; -d reads the local recording instead.
func TestNodesFromConfig(t *testing.T) {
	f := startFleet(t, 0)
	dir := t.TempDir()
	ca, err := os.ReadFile(f.pki.ca.CertFile)
	must(t, err)
	tok, err := os.ReadFile(f.pki.tokenFile)
	must(t, err)
	must(t, os.WriteFile(filepath.Join(dir, "ca.pem"), ca, 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "token"), tok, 0o600))
	cfg := filepath.Join(dir, "ingero.yaml")
	must(t, os.WriteFile(cfg, []byte(fmt.Sprintf("fleet:\n  nodes:\n    - %s\n    - %s\n  ca_cert: ca.pem\n  token_file: token\n", f.addrA, f.addrB)), 0o644))
	t.Setenv(fleet.ConfigEnv, cfg)
	t.Setenv("INGERO_DB", "")

	r := runQuery(t, "SELECT count(*) AS n FROM events")
	if r.code != 0 || !strings.Contains(r.err, "asking 2 nodes of fleet.nodes in "+cfg) {
		t.Fatalf("exit %d, stderr %q", r.code, r.err)
	}
	for _, want := range []string{f.addrA + "  " + itoa(len(f.a.events)), f.addrB + "  " + itoa(len(f.b.events))} {
		if !strings.Contains(r.out, want) {
			t.Errorf("out lacks %q:\n%s", want, r.out)
		}
	}
	local := newRecording("gpu-local", 1e9, 8_000_000, false)
	r = runQuery(t, "-d", local.write(t), "SELECT count(*) AS n FROM events")
	if r.code != 0 || strings.Contains(r.out, "node") || !strings.Contains(r.out, itoa(len(local.events))) {
		t.Errorf("-d beside fleet.nodes: exit %d, out %q, err %q; want the local count", r.code, r.out, r.err)
	}
	must(t, os.WriteFile(cfg, []byte("fleet:\n  nodes: [\"http://192.0.2.1:80\"]\n"), 0o644))
	r = runQuery(t, "SELECT 1")
	expectFailure(t, r, 2, "--insecure", "fleet.nodes in "+cfg)
}
