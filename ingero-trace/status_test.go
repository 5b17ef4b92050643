package trace

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"ingero.dev/common/annotate/listen"
	"ingero.dev/common/event"
)

// The lines are the documented ones (docs/cli.md), in the order emitted,
// and the channel writes to a duplicate of the descriptor it was given.
func TestStatusLines(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	s, err := openStatus(int(w.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	w.Close() // the status keeps its own duplicate
	s.attached("processes 4821", "/tmp/i.db", "")
	s.pid(4821, "python3", true, false)
	s.library("/usr/lib/libcudart.so.12")
	s.stats(event.SessionStats{Events: 10, KernelDrops: 1}, nil)
	s.stats(event.SessionStats{Events: 11}, &listen.Stats{Recorded: 3, Dropped: map[string]uint64{listen.ReasonRate: 5}, TimeClamped: 2})
	s.stopped(event.SessionStats{Events: 12}, 0, "/tmp/i.db", "", nil)
	s.close()
	s.stats(event.SessionStats{}, nil) // after close: nothing, no panic

	sc := bufio.NewScanner(r)
	var got []string
	for sc.Scan() {
		line := sc.Text()
		at := strings.Index(line, `"time":"`)
		if at < 0 {
			t.Fatalf("no time in %s", line)
		}
		end := at + len(`"time":"`) + len("2026-12-04T17:00:00.000000000Z") + 1
		got = append(got, line[:at]+line[end+1:])
	}
	want := []string{
		`{"status":"attached","scope":"processes 4821","database":"/tmp/i.db"}`,
		`{"status":"pid","pid":4821,"comm":"python3","cuda":true,"durations":false}`,
		`{"status":"library","path":"/usr/lib/libcudart.so.12"}`,
		`{"status":"stats","events":10,"kernel_drops":1,"user_drops":0,"sampled_out":0}`,
		`{"status":"stats","events":11,"kernel_drops":0,"user_drops":0,"sampled_out":0,"annotations":3,"annotations_dropped":{"rate limit":5},"annotations_time_clamped":2}`,
		`{"status":"stopped","database":"/tmp/i.db","events":12,"kernel_drops":0,"user_drops":0,"sampled_out":0,"missed_io":0}`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("status lines:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A descriptor that is not open is refused before anything is loaded.
func TestStatusFDMustBeOpen(t *testing.T) {
	if _, err := openStatus(987); err == nil {
		t.Error("--status-fd 987: no error")
	}
	s, err := openStatus(0)
	if err != nil {
		t.Fatal(err)
	}
	s.stats(event.SessionStats{}, nil) // off: writes nothing
	s.close()
}

// The exit line counts annotations, drops by reason and the sent times
// trace moved into range; a trace nobody wrote to prints none.
func TestAnnotationSummary(t *testing.T) {
	for _, c := range []struct {
		st   listen.Stats
		want string
	}{
		{listen.Stats{}, ""},
		{listen.Stats{Senders: 1, Recorded: 20}, "ingero trace: 20 annotations from 1 connections; 0 dropped\n"},
		{listen.Stats{Senders: 2, Recorded: 7, Dropped: map[string]uint64{listen.ReasonRate: 4, listen.ReasonKind: 1}, TimeClamped: 3},
			"ingero trace: 7 annotations from 2 connections; 5 dropped (rate limit 4, unknown kind 1); 3 sent times out of range, clamped\n"},
	} {
		var b strings.Builder
		annotationSummary(&b, c.st)
		if b.String() != c.want {
			t.Errorf("%+v:\n got %q\nwant %q", c.st, b.String(), c.want)
		}
	}
}
