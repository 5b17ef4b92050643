package main

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"ingero.dev/common/store"
)

// Three synthetic demo recordings merged hold exactly the sum of their
// events under distinct IDs, one session each, and export as one timeline
// with a call per event.
func TestDemoMergeExportPipeline(t *testing.T) {
	if testing.Short() {
		t.Skip("runs three demo scenarios")
	}
	t.Parallel()
	dir := t.TempDir()
	bin := filepath.Join(dir, "ingero")
	goTool(t, ".", nil, "build", "-o", bin, ".") // the demo runs explain as a binary
	run := func(args ...string) result {
		cmd := exec.Command(bin, args...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		code := 0
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			code = exit.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return result{code, stdout.String(), stderr.String()}
	}
	var inputs []string
	var sum int64
	for _, sc := range []string{"incident", "gpu-steal", "cold-start"} {
		p := filepath.Join(dir, sc+".db")
		if r := run("demo", "--mode", "synthetic", "--span", "5s", "-d", p, sc); r.code != 0 {
			t.Fatalf("demo %s: exit %d: %s", sc, r.code, r.err)
		}
		sum += eventsIn(t, p)
		inputs = append(inputs, p)
	}
	merged := filepath.Join(dir, "cluster.db")
	if r := run(append(append([]string{"merge"}, inputs...), "-o", merged)...); r.code != 0 {
		t.Fatalf("merge: exit %d: %s", r.code, r.err)
	}
	if got := eventsIn(t, merged); got != sum {
		t.Errorf("merged %d events, want the sum %d", got, sum)
	}
	rd, err := store.OpenReadOnly(merged)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	res, err := rd.Query(context.Background(), 0, `SELECT count(DISTINCT id), (SELECT count(*) FROM sessions) FROM events`)
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows[0][0] != sum || res.Rows[0][1] != int64(3) {
		t.Errorf("distinct IDs, sessions = %v, want %d, 3", res.Rows[0], sum)
	}
	r := run("export", "-d", merged, "-o", filepath.Join(dir, "cluster.json"), "--chains", "none")
	if r.code != 0 {
		t.Fatalf("export: exit %d: %s", r.code, r.err)
	}
	m := regexp.MustCompile(`(\d+) slices, (\d+) instants`).FindStringSubmatch(r.out)
	if m == nil {
		t.Fatalf("export said %q", r.out)
	}
	slices, _ := strconv.ParseInt(m[1], 10, 64)
	instants, _ := strconv.ParseInt(m[2], 10, 64)
	// The demo's training loop annotates its steps: each is an instant
	// of its own on the timeline.
	steps, err := rd.Query(context.Background(), 0, `SELECT count(*) FROM annotations`)
	if err != nil {
		t.Fatal(err)
	}
	if want := sum + steps.Rows[0][0].(int64); slices+instants != want {
		t.Errorf("exported %d calls and step annotations, want %d", slices+instants, want)
	}
}

func eventsIn(t *testing.T, path string) int64 {
	t.Helper()
	r, err := store.OpenReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	sp, err := r.TimeSpan()
	if err != nil {
		t.Fatal(err)
	}
	return sp.Events
}
