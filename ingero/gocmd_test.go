package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// goTool runs the go command in dir with extra environment entries and
// returns its stdout; any failure of the go command fails the test.
func goTool(t *testing.T, dir string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("go %s (in %s, %s): %v\n%s", strings.Join(args, " "), dir, strings.Join(env, " "), err, stderr.String())
	}
	return stdout.String()
}

// workspaceRoot is the directory of the go.work this test runs under.
func workspaceRoot(t *testing.T) string {
	t.Helper()
	work := strings.TrimSpace(goTool(t, ".", nil, "env", "GOWORK"))
	if work == "" || work == "off" {
		t.Fatal("not inside the go.work workspace (GOWORK is empty or off)")
	}
	return filepath.Dir(work)
}

// workspaceModules maps each module path of go.work to its directory.
func workspaceModules(t *testing.T) map[string]string {
	t.Helper()
	out := goTool(t, workspaceRoot(t), nil, "list", "-m", "-f", "{{.Path}} {{.Dir}}")
	mods := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		path, dir, ok := strings.Cut(line, " ")
		if !ok {
			t.Fatalf("unexpected go list line %q", line)
		}
		mods[path] = dir
	}
	return mods
}
