package query

import (
	"path/filepath"
	"strings"
	"testing"

	"ingero.dev/common/cli/clitest"
	"ingero.dev/common/recording/recordingtest"
)

// oneLine checks the shape every failure must have: nothing on stdout and
// one line on stderr that names the command and holds want.
func oneLine(t *testing.T, r result, code int, want string) {
	t.Helper()
	clitest.OneLineFailure(t, "ingero query", r.code, r.out, r.err, code, want)
}

func TestUsageErrors(t *testing.T) {
	db := writeFixtureDB(t)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--since", "5"}, "missing unit"},
		{[]string{"--since", "1h", "--from", "2026-05-24T15:00:00Z"}, "cannot be combined"},
		{[]string{"--op", "cudaMemcpyy"}, `did you mean "cudaMemcpy"`},
		{[]string{"--op", "cudaMalloc,zzzzzzzzzz"}, `unknown op "zzzzzzzzzz"`},
		{[]string{"--pid", "12,abc"}, `"abc" is not a process id`},
		{[]string{"--pid", "0"}, "not a process id"},
		{[]string{"--limit", "-1"}, "--limit -1"},
		{[]string{"--nodes", "host1:8080", "SELECT 1"}, "give one of them"},
		{[]string{"--ca-cert", "ca.pem", "SELECT 1"}, "--ca-cert applies to fan-out only"},
		{[]string{"--by-request", "SELECT 1"}, "--by-request does not apply to SQL"},
		{[]string{"--pid", "1", "SELECT 1"}, "--pid does not apply to SQL"},
		{[]string{"--since", "1h", "SELECT 1"}, "--since does not apply to SQL"},
		{[]string{"--max-rows", "5"}, "--max-rows applies to SQL"},
		{[]string{"SELECT 1", "SELECT 2"}, "as one argument"},
		{[]string{" "}, "empty"},
		{[]string{"--timeout", "soon", "SELECT 1"}, "-timeout"},
	}
	for _, tt := range tests {
		oneLine(t, run(t, append([]string{"-d", db}, tt.args...)...), 2, tt.want)
	}
}

func TestBadRecordings(t *testing.T) {
	for _, bad := range recordingtest.BadRecordings(t, writeFixtureDB(t)) {
		for _, args := range [][]string{nil, {"--json"}, {"SELECT count(*) FROM events"}} {
			oneLine(t, run(t, append([]string{"-d", bad.Path}, args...)...), 1, bad.Want)
		}
	}
}

func TestMissingDefaultDatabaseNamesWhereItLooked(t *testing.T) {
	home := t.TempDir()
	t.Setenv("INGERO_DB", "")
	t.Setenv("SUDO_USER", "")
	t.Setenv("HOME", home)
	r := run(t)
	oneLine(t, r, 1, filepath.Join(home, ".ingero", "ingero.db"))
	if !strings.Contains(r.err, "sudo ingero trace") {
		t.Errorf("stderr %q does not say how to record one", r.err)
	}
}

func TestSQLErrors(t *testing.T) {
	db := writeFixtureDB(t)
	tests := []struct {
		sql, want string
	}{
		{"SELECT nope FROM events", "SQL: "},
		{"SELECT * FROM no_such_table", "no such table"},
		{"SELECT 1; SELECT 2", "more than one statement"},
	}
	for _, tt := range tests {
		r := run(t, "-d", db, tt.sql)
		oneLine(t, r, 1, tt.want)
		if strings.Contains(r.err, "query: query") {
			t.Errorf("%q: stderr repeats the command's name: %q", tt.sql, r.err)
		}
	}
}

// A statement that never ends is stopped by --timeout.
func TestSQLTimeout(t *testing.T) {
	db := writeFixtureDB(t)
	r := run(t, "-d", db, "--timeout", "200ms",
		"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n")
	oneLine(t, r, 1, "stopped after --timeout 200ms")
}
