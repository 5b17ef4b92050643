package stacks

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// pythons finds the CPython 3.10-3.13 interpreters on this host: on PATH
// and under pyenv.
func pythons() map[int]string {
	out := map[int]string{}
	for minor := 10; minor <= 13; minor++ {
		name := fmt.Sprintf("python3.%d", minor)
		if p, err := exec.LookPath(name); err == nil && !strings.Contains(p, "/shims/") {
			out[minor] = p
			continue
		}
		home, _ := os.UserHomeDir()
		if m, _ := filepath.Glob(filepath.Join(home, ".pyenv/versions", fmt.Sprintf("3.%d.*", minor), "bin", name)); len(m) > 0 {
			out[minor] = m[0]
		}
	}
	return out
}

func markerLine(t *testing.T, file, marker string) int {
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range bytes.Split(data, []byte("\n")) {
		if bytes.Contains(l, []byte(marker)) {
			return i + 1
		}
	}
	t.Fatalf("%s has no %s", file, marker)
	return 0
}

// TestPythonWalker reads a sleeping interpreter's stack with the
// userspace walker, on every CPython 3.10-3.13 this host has.
func TestPythonWalker(t *testing.T) {
	found := pythons()
	if len(found) == 0 {
		t.Skip("no CPython 3.10-3.13 on PATH or under ~/.pyenv")
	}
	script, _ := filepath.Abs("testdata/sleeper.py")
	wait, call := markerLine(t, script, "# WAIT"), markerLine(t, script, "# CALL")
	for minor, py := range found {
		t.Run(fmt.Sprintf("3.%d", minor), func(t *testing.T) {
			cmd := exec.Command(py, script)
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
			ms, err := readMaps(pid)
			if err != nil {
				t.Fatal(err)
			}
			p, err := findPython(pid, ms, rootOf(pid), false)
			if err != nil || p == nil {
				t.Fatalf("no interpreter found in %s: %v", py, err)
			}
			// "ready" is printed just before the sleep: poll until the
			// thread is in it (the walk itself is what is checked).
			want := []string{fmt.Sprintf("sleeper.py:%d:inner", wait), fmt.Sprintf("sleeper.py:%d:outer", call)}
			var got []string
			for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
				frames, err := p.frames(pid)
				if err != nil {
					t.Fatal(err)
				}
				got = got[:0]
				for _, f := range frames {
					got = append(got, fmt.Sprintf("%s:%d:%s", filepath.Base(f.File), f.Line, f.Symbol))
				}
				if len(got) > 0 && got[0] == want[0] {
					break
				}
			}
			if len(got) < 3 || got[0] != want[0] || got[1] != want[1] || !strings.HasPrefix(got[2], "sleeper.py:") {
				t.Errorf("frames %v, want %v then the module", got, want)
			}
		})
	}
}
