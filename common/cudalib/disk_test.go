package cudalib

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// fakeDisk lays out an install the way distributions, the CUDA toolkit and
// pip do it: files plus soname and development symlinks.
func fakeDisk(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	files := []string{
		"usr/lib/x86_64-linux-gnu/libcuda.so.580.126.09",
		"usr/lib/x86_64-linux-gnu/libcudart_static.a",
		"usr/lib/x86_64-linux-gnu/libcudnn.so.9",
		"usr/local/cuda-12.8/lib64/libcudart.so.12.8.90",
		"opt/torch/.venv/lib/python3.12/site-packages/nvidia/cu13/lib/libcudart.so.13",
		"opt/conda/envs/ml/lib/python3.11/site-packages/nvidia/cuda_runtime/lib/libcudart.so.12",
		"opt/deep/1/2/3/4/5/6/7/8/9/10/11/libcudart.so.99",
		"custom/lib/libcudart.so.11.0",
	}
	for _, f := range files {
		p := filepath.Join(root, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	links := map[string]string{
		"usr/lib/x86_64-linux-gnu/libcuda.so.1":      "libcuda.so.580.126.09",
		"usr/lib/x86_64-linux-gnu/libcuda.so":        "libcuda.so.1",
		"usr/lib/x86_64-linux-gnu/libcuda.so.broken": "libcuda.so.0",
		"usr/local/cuda-12.8/lib64/libcudart.so.12":  "libcudart.so.12.8.90",
		"usr/local/cuda-12.8/lib64/libcudart.so":     "libcudart.so.12",
		"usr/local/cuda":                             "cuda-12.8",
		"opt/loop":                                   ".",
	}
	for link, target := range links {
		if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestFinderFindsEachFileOnceUnderItsSoname(t *testing.T) {
	root := fakeDisk(t)
	got, err := Finder{Root: root, LibraryPath: "/custom/lib:relative/ignored:/missing"}.Find()
	if err != nil {
		t.Fatal(err)
	}
	type found struct {
		Path    string
		Aliases []string
		Kind    Kind
	}
	want := []found{
		{"/custom/lib/libcudart.so.11.0", nil, Runtime},
		// Glob order: the toolkit's "cuda" symlink sorts before "cuda-12.8".
		{"/usr/local/cuda/lib64/libcudart.so.12", []string{
			"/usr/local/cuda-12.8/lib64/libcudart.so.12",
			"/usr/local/cuda/lib64/libcudart.so.12.8.90",
			"/usr/local/cuda-12.8/lib64/libcudart.so.12.8.90",
			"/usr/local/cuda/lib64/libcudart.so",
			"/usr/local/cuda-12.8/lib64/libcudart.so",
		}, Runtime},
		// Breadth first: the venv (8 levels down) before the conda env (9).
		{"/opt/torch/.venv/lib/python3.12/site-packages/nvidia/cu13/lib/libcudart.so.13", nil, Runtime},
		{"/opt/conda/envs/ml/lib/python3.11/site-packages/nvidia/cuda_runtime/lib/libcudart.so.12", nil, Runtime},
		{"/usr/lib/x86_64-linux-gnu/libcuda.so.1", []string{
			"/usr/lib/x86_64-linux-gnu/libcuda.so.580.126.09",
			"/usr/lib/x86_64-linux-gnu/libcuda.so",
		}, Driver},
	}
	var gotFound []found
	for _, lib := range got {
		gotFound = append(gotFound, found{lib.Path, lib.Aliases, lib.Kind})
		if lib.Inode == 0 {
			t.Errorf("%s: no inode", lib.Path)
		}
	}
	if !reflect.DeepEqual(gotFound, want) {
		t.Errorf("found:\n got %+v\nwant %+v", gotFound, want)
	}
}

func TestFinderDepthBound(t *testing.T) {
	root := fakeDisk(t)
	for depth, wantDeep := range map[int]bool{10: false, 13: true} {
		got, err := Finder{Root: root, MaxDepth: depth}.Find()
		if err != nil {
			t.Fatal(err)
		}
		deep := false
		for _, lib := range got {
			deep = deep || strings.HasSuffix(lib.Path, "libcudart.so.99")
		}
		if deep != wantDeep {
			t.Errorf("MaxDepth %d: found the library 12 levels under /opt = %v, want %v", depth, deep, wantDeep)
		}
	}
}

func TestFinderMissingRoot(t *testing.T) {
	if _, err := (Finder{Root: filepath.Join(t.TempDir(), "nope")}).Find(); err == nil {
		t.Error("want an error for a missing root")
	}
}

func TestNameRank(t *testing.T) {
	order := []string{"libcuda.so.1", "libcudart.so.12", "libcuda.so.580.126.09", "libcudart.so.12.8.90", "libcuda.so"}
	for i := 1; i < len(order); i++ {
		if nameRank(order[i-1]) > nameRank(order[i]) {
			t.Errorf("%s must not rank after %s", order[i-1], order[i])
		}
	}
}
