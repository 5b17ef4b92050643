package concurrency

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// binDirEnv names a folder holding prebuilt ingero-<command> binaries
// (symlinks to the multiplexer do): the device has no Go toolchain.
const binDirEnv = "INGERO_BIN_DIR"

var (
	builtDir string // go build's output folder for this test process
	builds   sync.Map
)

type build struct {
	once sync.Once
	path string
	err  error
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ingero-concurrency-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "creating a folder for the binaries:", err)
		os.Exit(1)
	}
	builtDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// binary is the path of ingero-<name>: $INGERO_BIN_DIR's when set, else
// built once per test process from this workspace.
func binary(t testing.TB, name string) string {
	t.Helper()
	if dir := os.Getenv(binDirEnv); dir != "" {
		p := filepath.Join(dir, "ingero-"+name)
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("%s=%s holds no ingero-%s: link it to the ingero multiplexer (bench/device-concurrency.sh does)", binDirEnv, dir, name)
		}
		return p
	}
	v, _ := builds.LoadOrStore(name, &build{})
	b := v.(*build)
	b.once.Do(func() {
		b.path = filepath.Join(builtDir, "ingero-"+name)
		cmd := exec.Command("go", "build", "-o", b.path, "./cmd/ingero-"+name)
		cmd.Dir = filepath.Join("..", "..", "ingero-"+name)
		if out, err := cmd.CombinedOutput(); err != nil {
			b.err = fmt.Errorf("go build ingero-%s (or set %s to prebuilt binaries): %v\n%s", name, binDirEnv, err, out)
		}
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.path
}
