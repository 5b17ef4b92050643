package explain

import (
	"testing"
	"time"

	"ingero.dev/common/store/storetest"
)

// No way of running explain changes a byte of the recording, its mtime or
// what lies beside it.
func TestRecordingIsNeverChanged(t *testing.T) {
	for name, path := range map[string]string{"database": writeFixtureDB(t), "stream": writeFixtureStream(t)} {
		before := storetest.Capture(t, path, true)
		time.Sleep(20 * time.Millisecond) // so that a touch would show in mtime
		for _, args := range [][]string{nil, {"--json"}, {"--chains"}, {"--chains", "--json", "--annotations"},
			{"--per-process"}, {"--per-process", "--json"}, {"--annotations"}, {"--last", "100"}, {"--since", "1w", "--pid", "4821"}} {
			if r := run(t, append([]string{"-d", path}, args...)...); r.code != 0 {
				t.Errorf("%s %q: exit %d: %s", name, args, r.code, r.err)
			}
		}
		before.Same(t, storetest.Capture(t, path, true), name)
	}
}
