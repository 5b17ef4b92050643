package stacks

import (
	"bufio"
	"fmt"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestResolvesLiveProcess symbolises a return address of a live C program
// built with -g from its mappings, ELF symbols and DWARF lines.
func TestResolvesLiveProcess(t *testing.T) {
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
	defer cmd.Wait()
	defer cmd.Process.Kill()
	var ip uint64
	var line int
	if _, err := fmt.Fscanf(bufio.NewReader(stdout), "0x%x %d\n", &ip, &line); err != nil {
		t.Fatalf("reading the program's report: %v", err)
	}
	pid := uint32(cmd.Process.Pid)
	r := NewResolver(PyOff)
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
