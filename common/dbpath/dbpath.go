// Package dbpath finds the database (or stream file) a command reads or
// writes when -d is not given, the same way for every ingero command:
// $INGERO_DB, else the invoking user's ~/.ingero/ingero.db, so that
// `sudo ingero trace` and a later unprivileged `ingero explain` meet at
// the same file.
package dbpath

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
)

// EnvVar names the database when -d is not given.
const EnvVar = "INGERO_DB"

// DirName and FileName make up the default path under a home directory.
const (
	DirName  = ".ingero"
	FileName = "ingero.db"
)

// Location is a database path and, for messages, where it came from:
// "-d", "$INGERO_DB", "home of $SUDO_USER alice" or "$HOME".
type Location struct {
	Path   string
	Source string
}

// Resolve returns the database path: flagValue when -d was given, else
// the default.
func Resolve(flagValue string) (string, error) {
	loc, err := Locate(flagValue)
	return loc.Path, err
}

// Locate is Resolve that also says where the path came from.
func Locate(flagValue string) (Location, error) {
	if flagValue != "" {
		return Location{Path: flagValue, Source: "-d"}, nil
	}
	return Default()
}

// Default returns $INGERO_DB if set; else, under sudo, the home of
// $SUDO_USER (root's own home would hide the data from the user who
// asked for it); else $HOME.
func Default() (Location, error) {
	if p := os.Getenv(EnvVar); p != "" {
		return Location{Path: p, Source: "$" + EnvVar}, nil
	}
	note := ""
	if name := os.Getenv("SUDO_USER"); name != "" {
		u, err := user.Lookup(name)
		if err == nil && u.HomeDir != "" {
			return Location{Path: underHome(u.HomeDir), Source: "home of $SUDO_USER " + name}, nil
		}
		note = fmt.Sprintf("; $SUDO_USER %s has no home here", name)
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return Location{}, fmt.Errorf("finding the default database: %w%s; set $%s or pass -d FILE", err, note, EnvVar)
	}
	return Location{Path: underHome(home), Source: "$HOME" + note}, nil
}

func underHome(home string) string { return filepath.Join(home, DirName, FileName) }

// Existing locates the database and checks that it is there, for the
// commands that only read one. A missing file is a *MissingError.
func Existing(flagValue string) (Location, error) {
	loc, err := Locate(flagValue)
	if err != nil {
		return Location{}, err
	}
	return loc, loc.Check()
}

// Check returns a *MissingError when nothing is at the path, and any
// other failure to look at it as is.
func (l Location) Check() error {
	_, err := os.Stat(l.Path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return &MissingError{Location: l}
	case err != nil:
		return fmt.Errorf("checking database: %w", err)
	}
	return nil
}

// MissingError says in one line that there is no database, where the
// path came from, and how to get one.
type MissingError struct{ Location }

func (e *MissingError) Error() string {
	hint := "record one with 'sudo ingero trace', or pass -d FILE"
	if e.Source == "-d" {
		hint = "check the path, or record one with 'sudo ingero trace -d FILE'"
	}
	return fmt.Sprintf("no database at %s (from %s); %s", e.Path, e.Source, hint)
}

// Unwrap lets callers test for fs.ErrNotExist.
func (e *MissingError) Unwrap() error { return fs.ErrNotExist }
