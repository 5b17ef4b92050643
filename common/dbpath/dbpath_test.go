package dbpath

import (
	"errors"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
)

// clearEnv makes the test independent of the caller's environment; an
// empty value counts as unset.
func clearEnv(t *testing.T) {
	for _, k := range []string{EnvVar, "SUDO_USER", "SUDO_UID", "SUDO_GID"} {
		t.Setenv(k, "")
	}
}

func TestDefault(t *testing.T) {
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	tests := []struct {
		name       string
		env        map[string]string
		path, from string
	}{
		{"home", map[string]string{"HOME": home}, filepath.Join(home, ".ingero", "ingero.db"), "$HOME"},
		{"env wins", map[string]string{"HOME": home, EnvVar: "/data/x.db", "SUDO_USER": me.Username}, "/data/x.db", "$INGERO_DB"},
		{"sudo user's home beats $HOME", map[string]string{"HOME": home, "SUDO_USER": me.Username},
			filepath.Join(me.HomeDir, ".ingero", "ingero.db"), "home of $SUDO_USER " + me.Username},
		{"unknown sudo user falls back", map[string]string{"HOME": home, "SUDO_USER": "no-such-user-ingero"},
			filepath.Join(home, ".ingero", "ingero.db"), "$HOME; $SUDO_USER no-such-user-ingero has no home here"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			loc, err := Default()
			if err != nil {
				t.Fatal(err)
			}
			if loc.Path != tt.path || loc.Source != tt.from {
				t.Errorf("Default() = %+v; want path %q from %q", loc, tt.path, tt.from)
			}
		})
	}
}

func TestDefaultWithoutHome(t *testing.T) {
	clearEnv(t)
	t.Setenv("HOME", "")
	_, err := Default()
	if err == nil || !strings.Contains(err.Error(), "set $INGERO_DB or pass -d FILE") {
		t.Errorf("Default() error = %v; want advice to set $INGERO_DB or pass -d", err)
	}
}

func TestFlagWins(t *testing.T) {
	clearEnv(t)
	t.Setenv(EnvVar, "/from/env.db")
	p, err := Resolve("node7.stream")
	if err != nil || p != "node7.stream" {
		t.Errorf("Resolve(-d) = %q, %v", p, err)
	}
	p, err = Resolve("")
	if err != nil || p != "/from/env.db" {
		t.Errorf("Resolve(\"\") = %q, %v", p, err)
	}
	loc, _ := Locate("x.db")
	if loc.Source != "-d" {
		t.Errorf("source %q", loc.Source)
	}
}

func TestMissing(t *testing.T) {
	clearEnv(t)
	home := t.TempDir()
	t.Setenv("HOME", home)
	_, err := Existing("")
	want := "no database at " + home + "/.ingero/ingero.db (from $HOME); record one with 'sudo ingero trace', or pass -d FILE"
	var me *MissingError
	if !errors.As(err, &me) || err.Error() != want {
		t.Errorf("error = %v; want %q", err, want)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Error("a missing database must match fs.ErrNotExist")
	}
	_, err = Existing(filepath.Join(t.TempDir(), "gone.db"))
	if err == nil || !strings.Contains(err.Error(), "(from -d); check the path") {
		t.Errorf("missing -d file: %v", err)
	}
}

func TestExistingFinds(t *testing.T) {
	clearEnv(t)
	p := filepath.Join(t.TempDir(), "x.db")
	if err := os.WriteFile(p, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv(EnvVar, p)
	loc, err := Existing("")
	if err != nil || loc.Path != p {
		t.Errorf("Existing = %+v, %v", loc, err)
	}
}
