package standin

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"path/filepath"
	"testing"
	"time"

	"ingero.dev/common/annotate/emit"
)

// The workload's annotations follow the protocol, each line carrying the
// time it was sent: a tracer that reads a span's begin and end together
// still learns how long the iteration took.
func TestAnnotationsCarryTheirSendingTime(t *testing.T) {
	art := artifacts(t)
	path := filepath.Join(t.TempDir(), "a.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan []emit.Message, 1)
	go func() {
		var msgs []emit.Message
		defer func() { got <- msgs }()
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		sc := bufio.NewScanner(c)
		for sc.Scan() {
			var m emit.Message
			if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
				m.Kind = fmt.Sprintf("undecodable %q: %v", sc.Text(), err)
			}
			msgs = append(msgs, m)
		}
	}()
	before := time.Now().UnixNano()
	runWorkload(t, art, []string{"INGERO_ANNOTATE_SOCKET=" + path, "STANDIN_ANNOTATE_SPANS=1"},
		"--pattern", "basic", "--iterations", "3")
	after := time.Now().UnixNano()
	msgs := <-got // the workload's exit closed the connection

	var want []string
	for i := range 3 {
		want = append(want, fmt.Sprintf("point step=%d", i), fmt.Sprintf("begin req-%d", i), fmt.Sprintf("end req-%d", i))
	}
	var seen []string
	begun := map[string]int64{}
	prev := before
	for _, m := range msgs {
		switch m.Kind {
		case "":
			seen = append(seen, "point step="+m.Labels["step"])
		default:
			seen = append(seen, m.Kind+" "+m.RequestID)
		}
		if m.TimeNs < prev || m.TimeNs > after {
			t.Errorf("%+v: sent at %d, want from %d (the previous line) to %d", m, m.TimeNs, prev, after)
		}
		prev = m.TimeNs
		switch m.Kind {
		case emit.KindBegin:
			begun[m.RequestID] = m.TimeNs
		case emit.KindEnd:
			// The iteration's calls spin between the two.
			if m.TimeNs <= begun[m.RequestID] {
				t.Errorf("%s ends at %d, not after its begin at %d", m.RequestID, m.TimeNs, begun[m.RequestID])
			}
		}
	}
	if fmt.Sprint(seen) != fmt.Sprint(want) {
		t.Errorf("lines\n got %v\nwant %v", seen, want)
	}
}
