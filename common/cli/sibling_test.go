package cli

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestSiblingsFind(t *testing.T) {
	dir := t.TempDir()
	exe := func(name string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	noPath := func(string) (string, error) { return "", errors.New("not on PATH") }
	self := exe("ingero-mcp")
	s := Siblings{Self: "mcp", Executable: func() (string, error) { return self, nil }, LookPath: noPath, Args: []string{self}}
	t.Setenv("INGERO_DEMO", "")

	if _, err := s.Find("demo"); !errors.Is(err, ErrNoCommand) {
		t.Fatalf("nothing beside: %v", err)
	}
	mux := exe("ingero")
	if got, _ := s.Find("demo"); !slices.Equal(got, []string{mux, "demo"}) {
		t.Errorf("multiplexer beside: %v", got)
	}
	own := exe("ingero-demo")
	if got, _ := s.Find("demo"); !slices.Equal(got, []string{own}) {
		t.Errorf("standalone beside wins: %v", got)
	}
	t.Setenv("INGERO_DEMO", "/opt/x/ingero-demo")
	if got, _ := s.Find("demo"); !slices.Equal(got, []string{"/opt/x/ingero-demo"}) {
		t.Errorf("$INGERO_DEMO: %v", got)
	}
	t.Setenv("INGERO_DEMO", "")

	s.Executable = func() (string, error) { return "/nonexistent/ingero-mcp", nil }
	s.LookPath = func(b string) (string, error) { return "/usr/bin/" + b, nil }
	if got, _ := s.Find("check"); !slices.Equal(got, []string{"/usr/bin/ingero-check"}) {
		t.Errorf("on PATH: %v", got)
	}
}

func TestSiblingsDispatched(t *testing.T) {
	for _, c := range []struct {
		args []string
		self string
		want bool
	}{
		{[]string{"/x/myingero", "demo"}, "/x/myingero", true},
		{[]string{"/x/demo"}, "/x/myingero", true},
		{[]string{"/x/ingero-demo"}, "/x/ingero-demo", false},
		{[]string{"/tmp/go-build/demo.test", "-test.run=X"}, "/tmp/go-build/demo.test", false},
	} {
		if got := (Siblings{Self: "demo", Args: c.args}).dispatched(c.self); got != c.want {
			t.Errorf("%v from %s: dispatched %v, want %v", c.args, c.self, got, c.want)
		}
	}
}
