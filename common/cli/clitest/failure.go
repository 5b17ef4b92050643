// Package clitest checks what commands print.
package clitest

import (
	"strings"
	"testing"
)

// OneLineFailure checks the shape every failure must have: exit code want,
// nothing on stdout, and one line on stderr that names the command (prog,
// e.g. "ingero explain") and holds wantText.
func OneLineFailure(t testing.TB, prog string, code int, stdout, stderr string, want int, wantText string) {
	t.Helper()
	if code != want || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, prog+": ") ||
		!strings.Contains(stderr, wantText) {
		t.Errorf("exit %d, stdout %q, stderr %q; want exit %d and one line holding %q", code, stdout, stderr, want, wantText)
	}
}
