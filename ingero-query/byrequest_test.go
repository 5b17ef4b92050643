package query

import (
	"strings"
	"testing"
)

// The summary follows the events, for the same window, from a database
// and from a stream file alike; with --json it is one last NDJSON line.
func TestByRequestIsAppended(t *testing.T) {
	for _, path := range []string{writeFixtureDB(t), writeFixtureStream(t)} {
		r := run(t, "-d", path, "--since", "10m", "--by-request")
		if r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.err)
		}
		golden(t, "by_request", r.out)
		r = run(t, "-d", path, "--since", "10m", "--by-request", "--json", "--pid", "4821")
		if r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.err)
		}
		lines := strings.Split(strings.TrimSpace(r.out), "\n")
		golden(t, "by_request_json_last_line", lines[len(lines)-1]+"\n")
	}
}
