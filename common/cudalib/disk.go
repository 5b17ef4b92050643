package cudalib

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Installed is one CUDA library file found on disk.
type Installed struct {
	Path    string   // the preferred of its names: the soname (libcuda.so.1) first
	Aliases []string // its other names: symlinks, the same dir reached twice
	Kind    Kind
	Dev     uint64
	Inode   uint64
}

// Finder searches the places CUDA libraries are installed: LibraryPath,
// the system library dirs, CUDA toolkits, and pip wheels (nvidia/*/lib)
// of system Pythons and of venvs or conda envs under /opt.
type Finder struct {
	Root        string // "/" when empty; reported paths are inside it
	LibraryPath string // like LD_LIBRARY_PATH, searched first
	MaxDepth    int    // of the walk under /opt; 10 when 0, enough for conda envs
	MaxDirs     int    // directories the walk may visit; 20000 when 0
}

// FindInstalled searches the real file system, LD_LIBRARY_PATH first.
func FindInstalled() ([]Installed, error) {
	return Finder{LibraryPath: os.Getenv("LD_LIBRARY_PATH")}.Find()
}

var systemDirs = []string{
	"/usr/local/cuda*/lib64",
	"/usr/local/cuda*/targets/*/lib",
	"/usr/lib/x86_64-linux-gnu",
	"/usr/lib/aarch64-linux-gnu",
	"/usr/lib64",
	"/usr/lib",
	"/usr/lib/wsl/lib",
	"/usr/local/lib/python3*/dist-packages/nvidia/*/lib",
	"/usr/lib/python3/dist-packages/nvidia/*/lib",
}

// Find lists the libraries, runtimes first, each in order of discovery.
func (f Finder) Find() ([]Installed, error) {
	root := cmp.Or(f.Root, "/")
	if _, err := os.Stat(root); err != nil {
		return nil, fmt.Errorf("searching for CUDA libraries: %w", err)
	}
	s := &diskSearch{root: root, byKey: map[string]*Installed{}, seen: map[string]bool{}}
	for _, dir := range filepath.SplitList(f.LibraryPath) {
		if filepath.IsAbs(dir) {
			s.dir(dir)
		}
	}
	for _, pattern := range systemDirs {
		matches, _ := filepath.Glob(filepath.Join(root, pattern))
		for _, m := range matches {
			s.dir(s.inside(m))
		}
	}
	s.walk("/opt", cmp.Or(f.MaxDepth, 10), cmp.Or(f.MaxDirs, 20000))
	for _, lib := range s.found {
		all := append([]string{lib.Path}, lib.Aliases...)
		slices.SortStableFunc(all, func(a, b string) int { return nameRank(a) - nameRank(b) })
		lib.Path, lib.Aliases = all[0], all[1:]
		if len(lib.Aliases) == 0 {
			lib.Aliases = nil
		}
	}
	slices.SortStableFunc(s.found, func(a, b *Installed) int { return int(a.Kind) - int(b.Kind) })
	out := make([]Installed, len(s.found))
	for i, lib := range s.found {
		out[i] = *lib
	}
	return out, nil
}

type diskSearch struct {
	root  string
	byKey map[string]*Installed
	found []*Installed
	seen  map[string]bool
}

func (s *diskSearch) inside(path string) string {
	rel, err := filepath.Rel(s.root, path)
	if err != nil {
		return path
	}
	return "/" + rel
}

// dir records the CUDA libraries directly in dir (a path inside root).
func (s *diskSearch) dir(dir string) {
	dir = filepath.Clean(dir)
	if s.seen[dir] {
		return
	}
	s.seen[dir] = true
	entries, err := os.ReadDir(filepath.Join(s.root, dir))
	if err != nil {
		return
	}
	for _, e := range entries {
		s.file(filepath.Join(dir, e.Name()))
	}
}

func (s *diskSearch) file(path string) {
	kind, ok := KindOf(path)
	if !ok {
		return
	}
	fi, err := os.Stat(filepath.Join(s.root, path)) // through symlinks
	if err != nil || !fi.Mode().IsRegular() {
		return
	}
	id, hasID := fileID(fi)
	key := path
	if hasID {
		key = fmt.Sprintf("%d:%d", id.Dev, id.Inode)
	}
	if lib := s.byKey[key]; lib != nil {
		lib.Aliases = append(lib.Aliases, path)
		return
	}
	lib := &Installed{Path: path, Kind: kind, Dev: id.Dev, Inode: id.Inode}
	s.byKey[key] = lib
	s.found = append(s.found, lib)
}

// walk visits directories under start breadth-first, to a bounded depth
// and count, never following symlinked directories.
func (s *diskSearch) walk(start string, maxDepth, maxDirs int) {
	type item struct {
		dir   string
		depth int
	}
	queue := []item{{start, 0}}
	for visited := 0; len(queue) > 0 && visited < maxDirs; visited++ {
		it := queue[0]
		queue = queue[1:]
		entries, err := os.ReadDir(filepath.Join(s.root, it.dir))
		if err != nil {
			continue
		}
		for _, e := range entries {
			p := filepath.Join(it.dir, e.Name())
			if e.IsDir() && it.depth < maxDepth {
				queue = append(queue, item{p, it.depth + 1})
			} else if !e.IsDir() {
				s.file(p)
			}
		}
	}
}

// nameRank prefers the soname form (libcuda.so.1, libcudart.so.12), then
// fuller versions (libcuda.so.580.126.09), then the bare development link.
func nameRank(path string) int {
	base := filepath.Base(path)
	_, version, _ := strings.Cut(base, ".so")
	switch {
	case version == "":
		return 2
	case strings.Count(version, ".") == 1:
		return 0
	}
	return 1
}
