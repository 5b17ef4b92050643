package emit_test

import (
	"bufio"
	"encoding/json"
	"net"
	"path/filepath"
	"testing"
	"time"

	"ingero.dev/common/annotate/emit"
)

// Every line carries the time it was sent, read between the caller's
// call and its return; a time the caller gives is kept.
func TestSendCarriesTheTimeOfTheLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := emit.Dial(path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	srv, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	before := time.Now().UnixNano()
	if err := c.Begin("r", nil); err != nil {
		t.Fatal(err)
	}
	after := time.Now().UnixNano()
	if err := c.Send(emit.Message{Kind: emit.KindEnd, RequestID: "r", TimeNs: after + 7}); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(srv)
	var got []emit.Message
	for range 2 {
		line, err := r.ReadBytes('\n')
		if err != nil {
			t.Fatal(err)
		}
		var m emit.Message
		if err := json.Unmarshal(line, &m); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		got = append(got, m)
	}
	if got[0].TimeNs < before || got[0].TimeNs > after {
		t.Errorf("begin sent at %d, want within [%d, %d]", got[0].TimeNs, before, after)
	}
	if got[1].TimeNs != after+7 {
		t.Errorf("end sent at %d, want the given %d", got[1].TimeNs, after+7)
	}
}
