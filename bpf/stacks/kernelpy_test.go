package stacks

import (
	"bufio"
	"encoding/binary"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"unicode/utf16"
)

// TestDebugOffsetsFromFileMatchInterpreter: the kernel walker's 3.13
// offsets, read from the file's initialised _PyRuntime, equal those the
// running interpreter publishes.
func TestDebugOffsetsFromFileMatchInterpreter(t *testing.T) {
	py, ok := pythons()[13]
	if !ok {
		t.Skip("no CPython 3.13 on PATH or under ~/.pyenv")
	}
	cmd := exec.Command(py, "-c", "import sys, time; print('ready', flush=True); sys.stdin.read()")
	stdout, _ := cmd.StdoutPipe()
	stdin, _ := cmd.StdinPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer stdin.Close()
	if line, err := bufio.NewReader(stdout).ReadString('\n'); err != nil || line != "ready\n" {
		t.Fatalf("%s said %q, %v", py, line, err)
	}
	pid := uint32(cmd.Process.Pid)
	ms, err := readMaps(pid)
	if err != nil {
		t.Fatal(err)
	}
	live, err := findPython(pid, ms, rootOf(pid), false)
	if err != nil || live == nil {
		t.Fatalf("no interpreter found in %s: %v", py, err)
	}
	before := memReads.Load()
	file, err := findPython(pid, ms, rootOf(pid), true)
	if err != nil || file == nil {
		t.Fatalf("no interpreter found in %s's files: %v", py, err)
	}
	if n := memReads.Load() - before; n != 0 {
		t.Errorf("reading the offsets from the file read process memory %d times", n)
	}
	if file.lay != live.lay || file.runtime != live.runtime {
		t.Errorf("from the file: %+v at %#x\nlive: %+v at %#x", file.lay, file.runtime, live.lay, live.runtime)
	}
}

func TestPyStrDecode(t *testing.T) {
	ucs2 := func(s string) []byte {
		var b []byte
		for _, u := range utf16.Encode([]rune(s)) {
			b = binary.LittleEndian.AppendUint16(b, u)
		}
		return b
	}
	ucs4 := func(s string) []byte {
		var b []byte
		for _, r := range s {
			b = binary.LittleEndian.AppendUint32(b, uint32(r))
		}
		return b
	}
	for _, c := range []struct {
		s    PyStr
		want string
	}{
		{PyStr{Data: []byte("train.py"), Kind: 1, Size: 8}, "train.py"},
		{PyStr{Data: []byte{'c', 0xe9}, Kind: 1, Size: 2}, "cé"}, // Latin-1
		{PyStr{Data: ucs2("Βρόχος.run"), Kind: 2, Size: 20}, "Βρόχος.run"},
		{PyStr{Data: ucs4("f😀"), Kind: 4, Size: 8}, "f😀"},
		{PyStr{Data: []byte("/train.py"), Kind: 1, Size: 300}, ".../train.py"}, // the kernel kept the end
	} {
		got, err := c.s.decode()
		if err != nil || got != c.want {
			t.Errorf("%+v: %q, %v; want %q", c.s, got, err, c.want)
		}
	}
	if _, err := (PyStr{Data: []byte("ab"), Kind: 3}).decode(); err == nil {
		t.Error("kind 3 decoded")
	}
}

// TestResolveKernelNamesFramesFromCodes: the kernel walker's frames are
// named from what the code reader returns, once per code object, placed as
// the userspace walker places them, without reading the process; a code
// object the reader cannot give is left out, counted, and tried again.
func TestResolveKernelNamesFramesFromCodes(t *testing.T) {
	py := ""
	for _, p := range pythons() {
		py = p
	}
	if py == "" {
		t.Skip("no CPython 3.10-3.13 on PATH or under ~/.pyenv")
	}
	cmd := exec.Command(py, "testdata/sleeper.py")
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer cmd.Process.Kill()
	if line, err := bufio.NewReader(stdout).ReadString('\n'); err != nil || line != "ready\n" {
		t.Fatalf("the script said %q, %v", line, err)
	}
	pid := uint32(cmd.Process.Pid)
	r := NewResolver(PyEBPF)
	if _, ok := r.PyTarget(pid); !ok {
		t.Fatalf("%s: no interpreter found", py)
	}
	reads := memReads.Load()
	calls, fail := map[uint64]int{}, true
	codes := func(_, gen uint32, code uint64) (PyCodeData, error) {
		calls[code]++
		if code == 0x2000 && fail {
			return PyCodeData{}, errors.New("evicted")
		}
		name := map[uint64]string{0x1000: "inner", 0x2000: "outer"}[code]
		return PyCodeData{File: PyStr{Data: []byte("/w/train.py"), Kind: 1, Size: 11},
			Name: PyStr{Data: []byte(name), Kind: 1, Size: len(name)}, FirstLine: 7}, nil
	}
	kp := KernelPy{Walked: true, Gen: 1, Frames: []PyFrameRef{{Code: 0x1000, Instr: 0x1100}, {Code: 0x2000, Instr: 0x2100}}}
	ips := []uint64{0x10, 0x20} // outside every mapping: two bare native frames
	names := func(id uint64) []string {
		var out []string
		for _, s := range r.Drain() {
			if s.ID == id {
				for _, f := range s.Frames {
					out = append(out, f.Symbol+"/"+string(f.Lang))
				}
			}
		}
		return out
	}
	first := r.ResolveKernel(pid, pid, ips, kp, codes)
	if got := names(first); strings.Join(got, " ") != "/ / inner/python" {
		t.Errorf("with outer's code missing: frames %v", got)
	}
	if st := r.Stats(); st.PyFailures != 1 {
		t.Errorf("%d failures counted, want 1", st.PyFailures)
	}
	fail = false
	second := r.ResolveKernel(pid, pid, ips, kp, codes)
	if got := names(second); strings.Join(got, " ") != "/ / inner/python outer/python" {
		t.Errorf("frames %v, want inner and outer after the native frames (none is the interpreter's)", got)
	}
	if again := r.ResolveKernel(pid, pid, ips, kp, codes); again != second {
		t.Errorf("the same record resolved to %#x, then %#x", second, again)
	}
	if calls[0x1000] != 1 || calls[0x2000] != 2 {
		t.Errorf("code reads %v: want inner once, outer until it was had", calls)
	}
	if n := memReads.Load() - reads; n != 0 {
		t.Errorf("%d reads of process memory", n)
	}
}
