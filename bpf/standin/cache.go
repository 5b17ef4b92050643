package standin

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"time"
)

var cached struct {
	once sync.Once
	art  *Artifacts
	err  error
}

// Cached is Build into a per-user cache directory named by a hash of the
// sources, the flags and the compiler, so that test processes share one
// build and later runs reuse it. Concurrent processes are safe: each builds
// aside and renames into place, and the first rename wins.
func Cached() (*Artifacts, error) {
	cached.once.Do(func() { cached.art, cached.err = buildCached() })
	if cached.err != nil {
		return nil, fmt.Errorf("building stand-in CUDA libraries: %w", cached.err)
	}
	return cached.art, nil
}

func buildCached() (*Artifacts, error) {
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		return nil, ErrNoCompiler
	}
	key, err := cacheKey(gcc)
	if err != nil {
		return nil, err
	}
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	parent := filepath.Join(base, "ingero-standin")
	dir := filepath.Join(parent, key)
	if art := artifactsIn(dir); art.complete() {
		return art, nil
	}
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, fmt.Errorf("creating build cache: %w", err)
	}
	pruneCache(parent)
	tmp, err := os.MkdirTemp(parent, "build-")
	if err != nil {
		return nil, fmt.Errorf("creating build cache: %w", err)
	}
	if _, err := build(tmp); err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	if err := os.Rename(tmp, dir); err != nil {
		// Another process renamed its build into place first; or dir is
		// a broken leftover, which the check below reports.
		os.RemoveAll(tmp)
	}
	art := artifactsIn(dir)
	if !art.complete() {
		return nil, fmt.Errorf("build cache %s is incomplete: remove it", dir)
	}
	return art, nil
}

// pruneCache removes builds of other sources, and builds left half done by
// killed processes, once they are a week old: each edit of the C makes a
// new key, and nothing else would ever remove the old ones.
func pruneCache(parent string) {
	entries, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	for _, e := range entries {
		if fi, err := e.Info(); err == nil && time.Since(fi.ModTime()) > 7*24*time.Hour {
			os.RemoveAll(filepath.Join(parent, e.Name()))
		}
	}
}

func cacheKey(gcc string) (string, error) {
	files, err := sourceFiles()
	if err != nil {
		return "", err
	}
	fi, err := os.Stat(gcc)
	if err != nil {
		return "", fmt.Errorf("hashing build inputs: %w", err)
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s %d %d %q\n", gcc, fi.Size(), fi.ModTime().UnixNano(), cflags)
	fmt.Fprintf(h, "%q\n", besideItself)
	for _, name := range slices.Sorted(maps.Keys(files)) {
		fmt.Fprintf(h, "%s %d\n", name, len(files[name]))
		h.Write(files[name])
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

func artifactsIn(dir string) *Artifacts {
	return &Artifacts{
		Dir:      dir,
		Runtime:  filepath.Join(dir, "libcudart.so.12"),
		Driver:   filepath.Join(dir, "libcuda.so.1"),
		Workload: filepath.Join(dir, "workload"),
		Busy:     filepath.Join(dir, "busy"),
		NCCL:     filepath.Join(dir, "libnccl.so.2"),
	}
}

func (a *Artifacts) complete() bool {
	for _, p := range []string{a.Runtime, a.Driver, a.Workload, a.Busy, a.NCCL} {
		if _, err := os.Stat(p); err != nil {
			return false
		}
	}
	return true
}
