package explain

import (
	"path/filepath"
	"strings"
	"testing"

	"ingero.dev/common/cli/clitest"
	"ingero.dev/common/recording/recordingtest"
)

// failsWith checks the shape every failure must have: nothing on stdout and
// one line on stderr that names the command and holds want.
func failsWith(t *testing.T, r result, code int, want string) {
	t.Helper()
	clitest.OneLineFailure(t, "ingero explain", r.code, r.out, r.err, code, want)
}

func TestUsageErrors(t *testing.T) {
	db := writeFixtureDB(t)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--since", "5"}, "missing unit"},
		{[]string{"--since", "-5m"}, "-since"},
		{[]string{"--since", "1h", "--from", "2026-05-24T15:00:00Z"}, "cannot be combined"},
		{[]string{"--from", "2026-05-24T15:44:00Z", "--to", "2026-05-24T15:40:00Z"}, "must be before --to"},
		{[]string{"--pid", "4821,x"}, `"x" is not a process id`},
		{[]string{"--last", "-3"}, "--last -3"},
		{[]string{"--nodes", "host1:8080,host2:8080"}, "give one of them"},
		{[]string{"--by-request", "--chains"}, "--by-request is a report of its own"},
		{[]string{"--by-request", "--last", "5"}, "not --last"},
		{[]string{"--chains", "--per-process"}, "give one of them"},
		{[]string{"--chains", "--last", "10"}, "--chains analyses none"},
		{[]string{"SELECT 1"}, "takes no arguments"},
		{[]string{"--op", "cudaMalloc"}, "flag provided but not defined: -op"},
	}
	for _, tt := range tests {
		failsWith(t, runWith(t, fixedEngine(nil, nil), append([]string{"-d", db}, tt.args...)...), 2, tt.want)
	}
}

func TestBadRecordings(t *testing.T) {
	for _, bad := range recordingtest.BadRecordings(t, writeFixtureDB(t)) {
		for _, args := range [][]string{nil, {"--json"}, {"--chains"}, {"--per-process"}} {
			failsWith(t, run(t, append([]string{"-d", bad.Path}, args...)...), 1, bad.Want)
		}
	}
}

func TestMissingDefaultDatabaseNamesWhereItLooked(t *testing.T) {
	home := t.TempDir()
	t.Setenv("INGERO_DB", "")
	t.Setenv("SUDO_USER", "")
	t.Setenv("HOME", home)
	r := run(t)
	failsWith(t, r, 1, filepath.Join(home, ".ingero", "ingero.db"))
	if !strings.Contains(r.err, "sudo ingero trace") {
		t.Errorf("stderr %q does not say how to record one", r.err)
	}
}
