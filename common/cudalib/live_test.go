package cudalib

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"ingero.dev/common/testenv"
)

// buildFakeCUDA compiles testdata/live into dir: a libcudart.so.12, a
// libcuda.so.1 and a prog that maps both.
func buildFakeCUDA(t *testing.T) string {
	t.Helper()
	gcc := testenv.RequireTool(t, "gcc", "gcc")
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	src, err := filepath.Abs("testdata/live")
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"-shared", "-fPIC", "-DRUNTIME", "-Wl,-soname,libcudart.so.12", "-o", "libcudart.so.12", src + "/fakecuda.c"},
		{"-shared", "-fPIC", "-DDRIVER", "-Wl,-soname,libcuda.so.1", "-o", "libcuda.so.1", src + "/fakecuda.c"},
		{"-fPIE", "-pie", "-o", "prog", src + "/prog.c", "-L.", "-l:libcudart.so.12", "-l:libcuda.so.1", "-Wl,-rpath,$ORIGIN"},
	} {
		cmd := exec.Command(gcc, args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("gcc %v: %v\n%s", args, err, out)
		}
	}
	return dir
}

// startProg runs a prog until the test ends; it returns the pid and the
// address at which the process sees cudaMalloc.
func startProg(t *testing.T, path string) (int, uint64) {
	t.Helper()
	cmd := exec.Command(path)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("reading from %s: %v", path, err)
	}
	var addr uint64
	if _, err := fmt.Sscanf(line, "ready %x", &addr); err != nil {
		t.Fatalf("%s said %q: %v", path, line, err)
	}
	go io.Copy(io.Discard, stdout)
	return cmd.Process.Pid, addr
}

func statID(t *testing.T, path string) FileID {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	id, ok := fileID(fi)
	if !ok {
		testenv.Unavailable(t, "no device numbers on this system")
	}
	return id
}

func TestScanLiveProcesses(t *testing.T) {
	dir := buildFakeCUDA(t)
	prog := filepath.Join(dir, "prog")
	pid1, addr := startProg(t, prog)
	pid2, _ := startProg(t, prog)

	snap, err := Scan()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []struct {
		path string
		kind Kind
	}{{filepath.Join(dir, "libcudart.so.12"), Runtime}, {filepath.Join(dir, "libcuda.so.1"), Driver}} {
		id := statID(t, want.path)
		var found []*Library
		for _, lib := range snap.Libraries {
			if lib.ID() == id {
				found = append(found, lib)
			}
		}
		if len(found) != 1 {
			t.Fatalf("%s: found %d times, want once", want.path, len(found))
		}
		lib := found[0]
		if lib.Path != want.path || lib.MappedPath != want.path || lib.Kind != want.kind || lib.Deleted {
			t.Errorf("%s: got %+v", want.path, lib)
		}
		if !reflect.DeepEqual(lib.PIDs, []int{pid1, pid2}) {
			t.Errorf("%s: PIDs %v, want %v", want.path, lib.PIDs, []int{pid1, pid2})
		}
	}

	i := slices.IndexFunc(snap.Processes, func(p *Process) bool { return p.PID == pid1 })
	if i < 0 {
		t.Fatalf("process %d not found", pid1)
	}
	p := snap.Processes[i]
	if p.UID != os.Getuid() || p.Comm != "prog" || p.Cmdline != prog || len(p.Libraries) != 2 {
		t.Errorf("process: %+v", p)
	}
	if got := snap.Filter(OwnedBy(strconv.Itoa(os.Getuid()))).Filter(WithPID(pid1)); len(got.Processes) != 1 {
		t.Errorf("filtering by our uid and pid: %+v", got.Processes)
	}

	ranges, err := TextRanges(pid1)
	if err != nil {
		t.Fatal(err)
	}
	in := slices.IndexFunc(ranges, func(r Range) bool { return r.Contains(addr) })
	if in < 0 || ranges[in].Kind != Runtime || ranges[in].Path != filepath.Join(dir, "libcudart.so.12") {
		t.Errorf("cudaMalloc at %#x is in no runtime text range of %+v", addr, ranges)
	}
}

func TestScanLiveDeletedLibrary(t *testing.T) {
	dir := buildFakeCUDA(t)
	pid, _ := startProg(t, filepath.Join(dir, "prog"))
	lib := filepath.Join(dir, "libcudart.so.12")
	id := statID(t, lib)
	if err := os.Remove(lib); err != nil {
		t.Fatal(err)
	}
	snap, err := (&Scanner{}).ScanPIDs([]int{pid})
	if err != nil {
		t.Fatal(err)
	}
	rt := snap.OfKind(Runtime)
	if len(rt) != 1 || !rt[0].Deleted || rt[0].MappedPath != lib || rt[0].ID() != id {
		t.Fatalf("runtime: %+v, want the deleted %s", rt, lib)
	}
	if os.Geteuid() != 0 {
		if rt[0].Path != "" {
			t.Errorf("Path %q: without root, map_files cannot be followed", rt[0].Path)
		}
		return
	}
	if !strings.HasPrefix(rt[0].Path, fmt.Sprintf("/proc/%d/map_files/", pid)) || !sameFile(rt[0].Path, id) {
		t.Errorf("Path %q does not open the deleted file", rt[0].Path)
	}
}

func TestSymbols(t *testing.T) {
	dir := buildFakeCUDA(t)
	present, missing, err := Symbols(filepath.Join(dir, "libcudart.so.12"), []string{"cudaMalloc", "cudaFree", "printf"})
	if err != nil {
		t.Fatal(err)
	}
	// printf is referenced, not defined: a probe cannot attach to it there.
	if !reflect.DeepEqual(present, []string{"cudaMalloc"}) || !reflect.DeepEqual(missing, []string{"cudaFree", "printf"}) {
		t.Errorf("present %v, missing %v", present, missing)
	}
	if _, _, err := Symbols("testdata/live/prog.c", []string{"main"}); err == nil {
		t.Error("Symbols of a C source: want an error")
	}
	if _, _, err := Symbols(filepath.Join(dir, "nope.so"), nil); err == nil {
		t.Error("Symbols of a missing file: want an error")
	}
}

func BenchmarkScan(b *testing.B) {
	for b.Loop() {
		if _, err := Scan(); err != nil {
			b.Fatal(err)
		}
	}
}
