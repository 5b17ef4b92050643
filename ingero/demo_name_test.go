package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDemoFindsCommandsUnderAnyName: the multiplexer copied to another
// name (myingero), with no ingero binary on $PATH, runs `demo` and the
// demo finds explain (and, as root, trace) in its own executable, as it
// does when the file is called ingero.
func TestDemoFindsCommandsUnderAnyName(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the multiplexer; skipped with -short")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "myingero")
	goTool(t, ".", nil, "build", "-o", bin, ".")
	if err := os.Symlink("myingero", filepath.Join(dir, "demo")); err != nil {
		t.Fatal(err)
	}
	env := []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=" + dir, "TMPDIR=" + dir}
	for _, argv := range [][]string{
		{"myingero", "demo", "--mode", "synthetic", "--span", "5s", "cold-start"},
		{"demo", "--mode", "synthetic", "--span", "5s", "cold-start"},
	} {
		cmd := exec.Command(filepath.Join(dir, argv[0]), argv[1:]...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "INCIDENT REPORT") || !strings.Contains(string(out), "alloc-churn") &&
			!strings.Contains(string(out), "cudaMalloc") {
			t.Errorf("%s: %v\n%s", strings.Join(argv, " "), err, out)
		}
	}
	if os.Geteuid() != 0 {
		return // the real mode needs root; its trace lookup is the same one
	}
	// As root, auto mode must not fall back to synthetic for want of
	// trace: the first line says which mode runs and why.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "demo", "--span", "5s", "cold-start")
	cmd.Env = env
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	first, _ := bufio.NewReader(out).ReadString('\n')
	if strings.Contains(first, "not found") || strings.Contains(first, "trace") && strings.Contains(first, "synthetic") {
		t.Errorf("myingero demo as root: %q", first)
	}
}
