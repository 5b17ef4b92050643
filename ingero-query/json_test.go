package query

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"ingero.dev/common/event"
	"ingero.dev/common/ndjson"
)

// query --json is trace --json: every line decodes, with the decoder of
// that format, back to exactly the recorded event, and --annotations only
// adds a field such readers skip.
func TestJSONLinesAreTraceLines(t *testing.T) {
	db := writeFixtureDB(t)
	want := fixtureEvents()
	slices.SortStableFunc(want, func(a, b event.Event) int { return int(a.TimeNs - b.TimeNs) })
	for _, args := range [][]string{{"--json"}, {"--json", "--annotations"}} {
		r := run(t, append([]string{"-d", db, "--since", "1w", "--limit", "0"}, args...)...)
		if r.code != 0 || r.err != "" {
			t.Fatalf("%q: exit %d: %s", args, r.code, r.err)
		}
		lines := strings.SplitAfter(r.out, "\n")
		lines = lines[:len(lines)-1]
		if len(lines) != len(want) {
			t.Fatalf("%q: %d lines, want %d", args, len(lines), len(want))
		}
		for i, line := range lines {
			got, err := ndjson.Decode([]byte(line))
			if err != nil {
				t.Fatalf("%q line %d: %v\n%s", args, i, err, line)
			}
			if !reflect.DeepEqual(got, want[i]) {
				t.Errorf("%q line %d decodes to\n%+v, want\n%+v", args, i, got, want[i])
			}
		}
	}
}
