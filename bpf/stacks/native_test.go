package stacks

import (
	"bufio"
	"fmt"
	"os/exec"
	"path/filepath"
	"testing"

	"ingero.dev/common/event"
)

// TestResolvesLiveProcess symbolises a return address of a live C program
// built with -g from its mappings, ELF symbols and DWARF lines.
func TestResolvesLiveProcess(t *testing.T) {
	pid, ip, line := startCallsite(t)
	r := NewResolver(PyOff)
	r.Track(pid) // as trace does before it probes a process: symbols loaded
	id := r.Resolve(pid, pid, []uint64{ip})
	stacks := r.Drain()
	if id == 0 || len(stacks) != 1 || stacks[0].ID != id {
		t.Fatalf("Resolve gave %#x and stored %v", id, stacks)
	}
	got := stacks[0].Frames[0]
	if got.Symbol != "make_call" || filepath.Base(got.File) != "callsite.c" || got.Line != line || got.Module != "callsite" {
		t.Errorf("got %+v, want make_call at callsite.c:%d in callsite", got, line)
	}
	if again := r.Resolve(pid, pid+1, []uint64{ip}); again != id || len(r.Drain()) != 0 {
		t.Errorf("the same stack again got %#x, or was stored twice", again)
	}
}

// TestUntrackedLibraryLoadsInTheBackground: a library met first in a
// record is loaded without stopping the reader; until it is in, its stacks
// carry module names only and are not cached, so later records resolve.
func TestUntrackedLibraryLoadsInTheBackground(t *testing.T) {
	pid, ip, line := startCallsite(t)
	r := NewResolver(PyOff)
	first := r.Resolve(pid, pid, []uint64{ip})
	r.loads.Wait()
	final := r.Resolve(pid, pid, []uint64{ip})
	var got []event.Frame
	for _, s := range r.Drain() {
		if s.ID == final {
			got = s.Frames
		}
	}
	if len(got) != 1 || got[0].Symbol != "make_call" || got[0].Line != line {
		t.Fatalf("after the load: %+v, want make_call at line %d", got, line)
	}
	if early := r.Stats().Early; (first != final) != (early == 1) {
		t.Errorf("first ID %#x, final %#x, but %d early stacks counted", first, final, early)
	}
}

// startCallsite runs testdata/callsite.c, built with -g, and returns its
// PID and the return address and line of its call it reported.
func startCallsite(t *testing.T) (pid uint32, ip uint64, line int) {
	t.Helper()
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		t.Skip("gcc not found: install gcc")
	}
	bin := filepath.Join(t.TempDir(), "callsite")
	if out, err := exec.Command(gcc, "-O1", "-g", "-fno-omit-frame-pointer", "-o", bin, "testdata/callsite.c").CombinedOutput(); err != nil {
		t.Fatalf("building: %v\n%s", err, out)
	}
	cmd := exec.Command(bin)
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	if _, err := fmt.Fscanf(bufio.NewReader(stdout), "0x%x %d\n", &ip, &line); err != nil {
		t.Fatalf("reading the program's report: %v", err)
	}
	return uint32(cmd.Process.Pid), ip, line
}
