package listen

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ingero.dev/common/annotate/emit"
	"ingero.dev/common/event"
)

func start(t *testing.T, cfg Config) *Server {
	t.Helper()
	if cfg.Path == "" {
		cfg.Path = filepath.Join(t.TempDir(), "annotate.sock")
	}
	if cfg.GID == 0 {
		cfg.GID = -1
	}
	s, err := Listen(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// sendLines writes raw lines on one connection and waits until the server
// has handled them all (it closes its side after the connection ends).
func sendLines(t *testing.T, s *Server, lines ...string) {
	t.Helper()
	c, err := net.Dial("unix", s.cfg.Path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write([]byte(strings.Join(lines, "\n") + "\n")); err != nil {
		t.Fatal(err)
	}
	waitHandled(t, s, c)
}

// waitHandled closes the writing side and waits for the server to close
// the connection, which it does only after handling every line.
func waitHandled(t *testing.T, s *Server, c net.Conn) {
	t.Helper()
	c.(*net.UnixConn).CloseWrite()
	c.SetReadDeadline(time.Now().Add(time.Minute))
	if _, err := bufio.NewReader(c).ReadByte(); err == nil {
		t.Fatal("the server wrote to the socket")
	}
	c.Close()
}

func TestPointsAndSpansCarryTheSender(t *testing.T) {
	s := start(t, Config{Node: "n1"})
	c, err := emit.Dial(s.cfg.Path)
	if err != nil {
		t.Fatal(err)
	}
	must(t, c.Point(map[string]string{"step": "7"}))
	must(t, c.Begin("req-1", map[string]string{"model": "m"}))
	must(t, c.Begin("req-2", nil))
	must(t, c.End("req-1"))
	c.ForPID(0)
	must(t, c.Point(map[string]string{"phase": "eval"}))
	waitHandled(t, s, c.Conn())
	// req-2 was left open: the disconnect ended it.
	got := s.Drain()
	if len(got) != 4 {
		t.Fatalf("%d annotations: %+v", len(got), got)
	}
	start, _ := StartTicks(uint32(os.Getpid()))
	want := event.Sender{PID: uint32(os.Getpid()), UID: uint32(os.Getuid()), GID: uint32(os.Getgid()), StartTicks: start}
	for _, a := range got {
		if a.Sender == nil || *a.Sender != want {
			t.Errorf("sender %+v, want %+v", a.Sender, want)
		}
		if a.Node != "n1" {
			t.Errorf("node %q", a.Node)
		}
	}
	byLabel := map[string]event.Annotation{}
	for _, a := range got {
		byLabel[fmt.Sprint(a.Labels)] = a
	}
	step := byLabel["map[step:7]"]
	if step.PID != uint32(os.Getpid()) || step.SpanStart != 0 || step.SpanEnd != 0 || step.TimeNs == 0 {
		t.Errorf("point: %+v", step)
	}
	r1 := byLabel["map[model:m request_id:req-1]"]
	if r1.PID != uint32(os.Getpid()) || r1.SpanStart == 0 || r1.SpanEnd < r1.SpanStart {
		t.Errorf("span req-1: %+v", r1)
	}
	if r2 := byLabel["map[request_id:req-2]"]; r2.SpanEnd < r2.SpanStart || r2.SpanStart == 0 {
		t.Errorf("span req-2 not ended at disconnect: %+v", r2)
	}
	if ph := byLabel["map[phase:eval]"]; ph.PID != 0 {
		t.Errorf("trace-wide point has pid %d", ph.PID)
	}
	if st := s.Stats(); st.Recorded != 4 || st.DroppedTotal() != 0 || st.Senders != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestMalformedLinesAreCountedByReason(t *testing.T) {
	s := start(t, Config{})
	long := `{"labels":{"x":"` + strings.Repeat("a", emit.MaxLine) + `"}}`
	many := map[string]string{}
	for i := range emit.MaxLabels + 1 {
		many[fmt.Sprint("k", i)] = "v"
	}
	manyJSON := `{"labels":{`
	for k := range many {
		manyJSON += `"` + k + `":"v",`
	}
	manyJSON = strings.TrimSuffix(manyJSON, ",") + `}}`
	sendLines(t, s,
		`not json`,
		long,
		`{"kind":"explode"}`,
		manyJSON,
		`{"kind":"end","request_id":"never-begun"}`,
		`{"kind":"begin"}`,
		`{"kind":"begin","request_id":"a"}`,
		`{"kind":"begin","request_id":"a"}`,
		`{"request_id":"b","labels":{"request_id":"c"}}`,
		`{"labels":{"ok":"1"}}`,
	)
	st := s.Stats()
	want := map[string]uint64{ReasonMalformed: 1, ReasonTooLong: 1, ReasonKind: 1, ReasonLabels: 1,
		ReasonSpanUnknown: 1, ReasonRequestID: 2, ReasonSpanOpen: 1}
	if fmt.Sprint(st.Dropped) != fmt.Sprint(want) {
		t.Errorf("dropped %v, want %v", st.Dropped, want)
	}
	// The line after the over-long one still counts; span a ends at
	// disconnect.
	if st.Recorded != 2 {
		t.Errorf("recorded %d, want 2", st.Recorded)
	}
}

// A storm from one process is held to its bucket; with the clock stopped
// exactly the burst gets through and every other line is counted.
func TestStormIsRateLimited(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	s := start(t, Config{Rate: 10, Burst: 50, Now: func() time.Time { return now }})
	lines := make([]string, 5000)
	for i := range lines {
		lines[i] = fmt.Sprintf(`{"labels":{"step":"%d"}}`, i)
	}
	// Two connections of one process share its bucket.
	sendLines(t, s, lines[:2500]...)
	sendLines(t, s, lines[2500:]...)
	st := s.Stats()
	if st.Recorded != 50 || st.Dropped[ReasonRate] != 4950 {
		t.Fatalf("recorded %d, rate-limited %d; want 50 and 4950", st.Recorded, st.Dropped[ReasonRate])
	}
	if got := len(s.Drain()); got != 50 {
		t.Errorf("drained %d", got)
	}
}

func TestBacklogIsBounded(t *testing.T) {
	s := start(t, Config{MaxPending: 3})
	sendLines(t, s, `{}`, `{}`, `{}`, `{}`, `{}`)
	if st := s.Stats(); st.Recorded != 3 || st.Dropped[ReasonBacklog] != 2 {
		t.Errorf("stats %+v", st)
	}
}

func TestALiveSocketIsNotTakenOver(t *testing.T) {
	s := start(t, Config{})
	if _, err := Listen(Config{Path: s.cfg.Path, GID: -1}); err == nil || !strings.Contains(err.Error(), "another process is listening") {
		t.Fatalf("second listener: %v", err)
	}
	fi, err := os.Stat(s.cfg.Path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o660 {
		t.Errorf("socket mode %v, want 0660", fi.Mode().Perm())
	}
	// A stale file (a trace that died) is replaced.
	stale := filepath.Join(t.TempDir(), "stale.sock")
	must(t, os.WriteFile(stale, nil, 0o600))
	s2 := start(t, Config{Path: stale})
	sendLines(t, s2, `{}`)
	if st := s2.Stats(); st.Recorded != 1 {
		t.Errorf("stale path: %+v", st)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// A sender that connects, writes and leaves before the accept loop gets to
// it sits in the listen backlog; Close must still record its lines (trace
// stopping right after a short-lived emitter ran).
func TestCloseRecordsSendersStillInTheBacklog(t *testing.T) {
	s, err := bind(Config{Path: filepath.Join(t.TempDir(), "annotate.sock"), GID: -1, MaxPending: 16, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		c, err := emit.Dial(s.cfg.Path)
		if err != nil {
			t.Fatal(err)
		}
		must(t, c.Point(map[string]string{"step": fmt.Sprint(i)}))
		c.Close()
	}
	must(t, s.Close())
	if got := s.Drain(); len(got) != 3 {
		t.Fatalf("%d annotations after Close, want the 3 sent from the backlog: %+v", len(got), got)
	}
	if st := s.Stats(); st.Senders != 3 {
		t.Errorf("senders %d, want 3", st.Senders)
	}
}
