package mcp

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if bins.dir != "" {
		os.RemoveAll(bins.dir)
	}
	os.Exit(code)
}

var bins struct {
	once sync.Once
	dir  string
	err  error
}

// unavailable skips a test that needs what this machine lacks, or fails
// it under INGERO_E2E=1, where CI promised everything is there.
func unavailable(t testing.TB, reason string) {
	t.Helper()
	if os.Getenv("INGERO_E2E") == "1" {
		t.Fatalf("INGERO_E2E=1 but the test cannot run: %s", reason)
	}
	t.Skip(reason)
}

// binaries builds ingero-mcp (static, as shipped) and the ingero
// multiplexer into one directory, once per test run: the real stdio
// binary, and the check and demo commands it runs as siblings.
func binaries(t testing.TB) string {
	t.Helper()
	bins.once.Do(func() {
		goTool, err := exec.LookPath("go")
		if err != nil {
			bins.err = err
			return
		}
		if bins.dir, bins.err = os.MkdirTemp("", "ingero-mcp-bins-"); bins.err != nil {
			return
		}
		for _, b := range []struct{ out, pkg, cgo string }{
			{"ingero-mcp", "ingero.dev/ingero-mcp/cmd/ingero-mcp", "0"},
			{"ingero", "ingero.dev/ingero", "1"},
		} {
			cmd := exec.Command(goTool, "build", "-o", filepath.Join(bins.dir, b.out), b.pkg)
			cmd.Env = append(os.Environ(), "CGO_ENABLED="+b.cgo)
			if out, err := cmd.CombinedOutput(); err != nil {
				bins.err = &buildError{b.pkg, string(out)}
				return
			}
		}
	})
	if bins.err != nil {
		unavailable(t, "building the binaries: "+bins.err.Error())
	}
	return bins.dir
}

type buildError struct{ pkg, out string }

func (e *buildError) Error() string { return "go build " + e.pkg + ": " + e.out }

// stdioSession starts argv as a child and speaks MCP over its stdin and
// stdout, as Claude Desktop or Cursor do.
func stdioSession(t testing.TB, argv ...string) *mcp.ClientSession {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), "INGERO_CHECK=", "INGERO_DEMO=")
	client := mcp.NewClient(&mcp.Implementation{Name: "ingero-test", Version: "1"}, nil)
	cs, err := client.Connect(ctx, &mcp.CommandTransport{Command: cmd}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}
