package mcp

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"ingero.dev/common/store/storetest"
)

// The shipped binary, started as an MCP client starts it, answers every
// tool over its real stdin and stdout; run_demo and get_check find the
// ingero binary beside it.
func TestStdioBinaryDrivesEveryTool(t *testing.T) {
	dir := binaries(t)
	db := trainingFixture().write(t)
	before := storetest.Capture(t, db, true)
	cs := stdioSession(t, filepath.Join(dir, "ingero-mcp"), "-d", db)
	tools, err := cs.ListTools(context.Background(), nil)
	if err != nil || len(tools.Tools) != len(toolNames) {
		t.Fatalf("tools/list: %d tools, %v", len(tools.Tools), err)
	}
	args := map[string]map[string]any{
		"graph_lifecycle": {"pid": 4821},
		"run_sql":         {"query": "SELECT comm, count(*) FROM events GROUP BY comm"},
	}
	for _, name := range toolNames {
		if name == "query_fleet" {
			fails(t, cs, name, nil, "--nodes")
			continue
		}
		ok(t, cs, name, args[name])
	}
	demo := ok(t, cs, "run_demo", verboseArgs(map[string]any{"scenario": "incident"}))
	if rc, _ := path(demo.structured, "chains", "chains", 0, "root_cause").(string); !strings.Contains(rc, "logrotate") {
		t.Errorf("run_demo incident: first chain's root cause %q does not name logrotate", rc)
	}
	if n, _ := path(demo.structured, "stats", "events").(float64); n < 100_000 {
		t.Errorf("run_demo: %v events", n)
	}
	check := ok(t, cs, "get_check", verboseArgs(nil))
	if from, _ := path(check.structured, "checks_from").(string); !strings.Contains(from, "check --json") {
		t.Errorf("get_check did not run ingero check: %q", from)
	}
	if names := path(check.structured, "checks", 0, "name"); names != "«Kernel version»" {
		t.Errorf("get_check: first check %v", names)
	}
	fails(t, cs, "run_demo", map[string]any{"scenario": "nope"}, "unknown scenario")
	storetest.Capture(t, db, true).Same(t, before, "after the stdio session")
}

// Without ingero beside it or on $PATH, run_demo says what is missing and
// get_check still answers with what this binary can read.
func TestSiblingsAbsent(t *testing.T) {
	cs := connect(t, trainingFixture().write(t), func(s *server) {
		s.executable = func() (string, error) { return "/nonexistent/ingero-mcp", nil }
		s.lookPath = func(string) (string, error) { return "", errNoSibling }
	})
	t.Setenv("INGERO_DEMO", "")
	t.Setenv("INGERO_CHECK", "")
	fails(t, cs, "run_demo", nil, "neither ingero-demo nor ingero is beside /nonexistent/ingero-mcp or on $PATH")
	check := ok(t, cs, "get_check", verboseArgs(nil))
	if from, _ := path(check.structured, "checks_from").(string); !strings.HasPrefix(from, "not run:") {
		t.Errorf("checks_from %q", from)
	}
	if k, _ := path(check.structured, "host", "kernel").(string); k == "" {
		t.Error("host facts missing")
	}
}
