package cli

import "fmt"

// Set at link time by the Makefile:
//
//	-X ingero.dev/common/cli.version=v0.1.0 -X ingero.dev/common/cli.commit=<sha> -X ingero.dev/common/cli.date=<date>
var (
	version = "v0.0.0-dev"
	commit  = "unknown"
	date    = "unknown"
)

// Version returns the build's semantic version, such as "v0.1.0".
func Version() string { return version }

// VersionString is what `ingero version` and `--version` print.
func VersionString() string {
	return fmt.Sprintf("ingero %s (commit: %s, built: %s)", version, commit, date)
}
