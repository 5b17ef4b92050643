package cli

import (
	"regexp"
	"testing"
)

func TestVersionString(t *testing.T) {
	saved := [3]string{version, commit, date}
	t.Cleanup(func() { version, commit, date = saved[0], saved[1], saved[2] })

	version, commit, date = "v0.1.0", "96a383f", "2026-11-26T15:40:00Z"
	if got, want := VersionString(), "ingero v0.1.0 (commit: 96a383f, built: 2026-11-26T15:40:00Z)"; got != want {
		t.Errorf("VersionString() = %q; want %q", got, want)
	}
	if Version() != "v0.1.0" {
		t.Errorf("Version() = %q", Version())
	}
}

// An unstamped build (go build, go test) still prints a well-formed line.
func TestUnstampedVersionShape(t *testing.T) {
	re := regexp.MustCompile(`^ingero v\S+ \(commit: \S+, built: \S+\)$`)
	if s := VersionString(); !re.MatchString(s) {
		t.Errorf("VersionString() = %q; not 'ingero vX (commit: C, built: D)'", s)
	}
}
