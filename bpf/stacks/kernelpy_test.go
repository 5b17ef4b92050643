package stacks

import (
	"bufio"
	"encoding/binary"
	"os/exec"
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
