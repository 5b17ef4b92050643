package explain

import (
	"testing"
	"time"

	"ingero.dev/common/event"
	"ingero.dev/common/recording/recordingtest"
)

// byRequestRecording is the explain fixture plus two request spans of the
// server, PID 4821, sent over trace's socket by uid 1000.
func byRequestRecording() recordingtest.Recording {
	r := fixture()
	sender := &event.Sender{PID: 4821, UID: 1000, GID: 1000, StartTicks: 4242}
	span := func(id string, from, to time.Duration) event.Annotation {
		return event.Annotation{TimeNs: at(from), PID: 4821, Node: "gpu-node-07", SpanStart: at(from), SpanEnd: at(to),
			Labels: map[string]string{"request_id": id}, Sender: sender}
	}
	r.Annotations = append(r.Annotations, span("req-4a07c2", 100*time.Second, 100*time.Second+621*time.Millisecond),
		span("req-9b21fc", 149*time.Second, 149*time.Second+842*time.Millisecond))
	return r
}

// The summary reads the same from a database and a stream file; text and
// JSON are pinned by goldens, notes included.
func TestByRequest(t *testing.T) {
	r := byRequestRecording()
	for _, path := range []string{recordingtest.WriteDB(t, r), recordingtest.WriteStream(t, r)} {
		for _, tt := range []struct {
			name string
			args []string
		}{{"by_request", nil}, {"by_request_json", []string{"--json"}}} {
			res := run(t, append([]string{"-d", path, "--by-request", "--since", "1h"}, tt.args...)...)
			if res.code != 0 {
				t.Fatalf("%s: exit %d: %s", path, res.code, res.err)
			}
			golden(t, tt.name, res.out)
		}
	}
	// --pid of another process keeps none of the server's spans.
	res := run(t, "-d", recordingtest.WriteDB(t, r), "--by-request", "--since", "1h", "--pid", "5032")
	golden(t, "by_request_other_pid", res.out)
}
