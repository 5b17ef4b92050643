package standin

import (
	"embed"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
)

//go:embed csrc/*.c csrc/*.h
var sources embed.FS

// ErrNoCompiler is wrapped by Build's error when gcc is not on PATH.
var ErrNoCompiler = errors.New("gcc not found: install gcc")

// Artifacts are the absolute paths of what Build made.
type Artifacts struct {
	Dir      string // holds everything below, and src/ with the C it was built from
	Runtime  string // libcudart.so.12
	Driver   string // libcuda.so.1
	Workload string // the test workload, loading both from Dir
	Busy     string // a CPU burner with a chosen comm
	NCCL     string // libnccl.so.2
}

type buildResult struct {
	once sync.Once
	art  *Artifacts
	err  error
}

var (
	buildsMu sync.Mutex
	builds   = map[string]*buildResult{}
)

// Build compiles the stand-ins, the workload and busy into dir, creating it.
// Each dir is built once per process; later calls return the first result.
func Build(dir string) (*Artifacts, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("building stand-in CUDA libraries: %w", err)
	}
	buildsMu.Lock()
	b := builds[abs]
	if b == nil {
		b = &buildResult{}
		builds[abs] = b
	}
	buildsMu.Unlock()
	b.once.Do(func() { b.art, b.err = build(abs) })
	if b.err != nil {
		return nil, fmt.Errorf("building stand-in CUDA libraries: %w", b.err)
	}
	return b.art, nil
}

// Flags that keep each exported function a real function at its own address
// with a frame-pointer prologue: no identical-code folding (two exports at
// one address would make one probe fire for both) and no tail calls (a
// runtime call that jumped into the driver would leave the driver a return
// address outside libcudart).
var cflags = []string{
	"-O2", "-g", "-std=gnu11", "-Wall", "-Wextra", "-D_GNU_SOURCE",
	"-fno-omit-frame-pointer", "-fno-ipa-icf", "-fno-optimize-sibling-calls",
}

// besideItself makes the stand-ins find each other in their own directory
// first. DT_RPATH, unlike the DT_RUNPATH that ld writes by default, is
// searched before LD_LIBRARY_PATH, and a GPU host's LD_LIBRARY_PATH often
// names the real driver: the stand-in runtime would then load the real
// libcuda.so.1 and fail at its private export table.
var besideItself = []string{"-Wl,--disable-new-dtags", "-Wl,-rpath,$ORIGIN"}

func build(dir string) (*Artifacts, error) {
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		return nil, ErrNoCompiler
	}
	src := filepath.Join(dir, "src")
	if err := writeSources(src); err != nil {
		return nil, err
	}
	art := artifactsIn(dir)
	lib := []string{"-fPIC", "-shared", "-fvisibility=hidden", "-Wl,-z,defs"}
	independent := []struct {
		out  string
		args []string
	}{
		{art.Driver, concat(lib, "-Wl,-soname,libcuda.so.1", "-Wl,--version-script=libcuda.map",
			"driver.c", "gpu_model.c", "driver_procaddr.c", "driver_stats.c", "-lpthread", "-ldl")},
		// The runtime's dlopen("libcuda.so.1") must find the stand-in beside
		// it, never a real driver elsewhere on the library path.
		{art.Runtime, concat(lib, concat(besideItself, "-Wl,-soname,libcudart.so.12", "-Wl,--version-script=libcudart.map",
			"runtime.c", "runtime_init.c", "runtime_objects.c", "-lpthread", "-ldl")...)},
		{art.Busy, []string{"busy.c"}},
		{art.NCCL, concat(lib, "-Wl,-soname,libnccl.so.2", "-Wl,--version-script=libnccl.map", "nccl.c")},
	}
	var wg sync.WaitGroup
	errs := make([]error, len(independent))
	for i, s := range independent {
		wg.Go(func() { errs[i] = compile(gcc, src, s.out, s.args) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	// Links against libcudart only, like a real application; it dlopens
	// libcuda itself for its direct driver calls.
	err = compile(gcc, src, art.Workload, []string{"workload.c", "workload_record.c", "workload_patterns.c", "workload_nccl.c", "workload_annotate.c",
		"-L" + dir, "-l:libcudart.so.12", besideItself[0], besideItself[1], "-lpthread", "-ldl"})
	if err != nil {
		return nil, err
	}
	return art, nil
}

func compile(gcc, src, out string, args []string) error {
	cmd := exec.Command(gcc, append(concat(cflags, "-o", out), args...)...)
	cmd.Dir = src
	if msg, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("compiling %s: %w\n%s", filepath.Base(out), err, msg)
	}
	return nil
}

func writeSources(src string) error {
	if err := os.MkdirAll(src, 0o755); err != nil {
		return fmt.Errorf("writing sources: %w", err)
	}
	files, err := sourceFiles()
	if err != nil {
		return err
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(src, name), data, 0o644); err != nil {
			return fmt.Errorf("writing sources: %w", err)
		}
	}
	return nil
}

// sourceFiles is everything the build reads: the embedded C plus the files
// generated from this package's Go.
func sourceFiles() (map[string][]byte, error) {
	entries, err := sources.ReadDir("csrc")
	if err != nil {
		return nil, fmt.Errorf("reading embedded sources: %w", err)
	}
	files := map[string][]byte{
		"params.h":      paramsHeader(),
		"libcudart.map": versionScript(RuntimeVersionNode, RuntimeSymbols),
		"libcuda.map":   versionScript("", DriverSymbols),
		"libnccl.map":   versionScript("", NCCLSymbols),
	}
	for _, e := range entries {
		if files[e.Name()], err = sources.ReadFile("csrc/" + e.Name()); err != nil {
			return nil, fmt.Errorf("reading embedded sources: %w", err)
		}
	}
	return files, nil
}

func concat(a []string, b ...string) []string {
	return append(append([]string(nil), a...), b...)
}
