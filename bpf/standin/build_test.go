package standin

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

func TestBuildWithoutGCC(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := Build(filepath.Join(t.TempDir(), "out"))
	if !errors.Is(err, ErrNoCompiler) || err.Error() != "building stand-in CUDA libraries: gcc not found: install gcc" {
		t.Errorf("got %v", err)
	}
}

func TestBuildIntoADirectory(t *testing.T) {
	artifacts(t) // skips without gcc
	dir := filepath.Join(t.TempDir(), "out")
	art, err := Build(dir)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Build(dir + "/.")
	if err != nil || again != art {
		t.Errorf("a second Build of the same directory built again: %v", err)
	}
	for _, p := range []string{art.Runtime, art.Driver, art.Workload, art.Busy, filepath.Join(dir, "src", "params.h")} {
		if _, err := os.Stat(p); err != nil {
			t.Error(err)
		}
	}
	c := runWorkload(t, art, nil, "--pattern", "leak")
	if c.Calls["cudaMalloc"] != 8 {
		t.Errorf("calls %v", c.Calls)
	}
}

func TestCachedBuildIsReused(t *testing.T) {
	artifacts(t) // skips without gcc
	art, err := Cached()
	if err != nil {
		t.Fatal(err)
	}
	if again, err := Cached(); err != nil || again != art {
		t.Fatalf("Cached() = %v, %v: want the first build again", again, err)
	}
	if !art.complete() || filepath.Base(filepath.Dir(art.Dir)) != "ingero-standin" {
		t.Errorf("cached artifacts %+v", art)
	}
	key, err := cacheKey(mustLookPath(t, "gcc"))
	if err != nil || filepath.Base(art.Dir) != key {
		t.Errorf("cache dir %s, key %s (%v)", art.Dir, key, err)
	}
}

func mustLookPath(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// On a GPU host LD_LIBRARY_PATH often names the real driver; the stand-ins
// must still load each other, or every e2e test there fails at start.
func TestStandInsIgnoreLibraryPath(t *testing.T) {
	art := artifacts(t) // skips without gcc
	decoys := t.TempDir()
	empty := filepath.Join(decoys, "empty.c")
	if err := os.WriteFile(empty, []byte("int ingero_decoy;\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"libcuda.so.1", "libcudart.so.12"} {
		out, err := exec.Command("gcc", "-shared", "-fPIC", "-Wl,-soname,"+name, "-o", filepath.Join(decoys, name), empty).CombinedOutput()
		if err != nil {
			t.Fatalf("building the decoy %s: %v\n%s", name, err, out)
		}
	}
	c := runWorkload(t, art, []string{"LD_LIBRARY_PATH=" + decoys}, "--pattern", "leak")
	if c.Calls["cudaMalloc"] != 8 {
		t.Errorf("with decoys on LD_LIBRARY_PATH: calls %v", c.Calls)
	}
}
