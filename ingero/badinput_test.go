package main

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ingero.dev/common/cli"
	"ingero.dev/common/event"
	"ingero.dev/common/recording/recordingtest"
	"ingero.dev/common/stream"
)

// badInputs writes every kind of file a read-only command may be pointed
// at by mistake: empty, foreign (a PNG, /etc/passwd, a SQLite database of
// another program), cut short, scrambled, and a recording from a newer
// ingero (database schema and stream major version).
func badInputs(t *testing.T) map[string]string {
	t.Helper()
	dir := t.TempDir()
	ns := time.Date(2026, 11, 26, 15, 40, 0, 0, time.UTC).UnixNano()
	var evs []event.Event
	for i := range 200 {
		evs = append(evs, event.Event{TimeNs: ns + int64(i)*1000, PID: 4821, TID: 4821, Comm: "python3", Node: "n",
			Source: event.SourceCUDA, Op: event.CudaMemcpy, DurNs: 5000})
	}
	rec := recordingtest.Recording{Events: evs, ChunkEvents: 50,
		Header: stream.Header{SessionID: "n:1", Node: "n", StartNs: ns}, StopNs: ns + int64(time.Second)}
	db, err := os.ReadFile(recordingtest.WriteDB(t, rec))
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.ReadFile(recordingtest.WriteStream(t, rec))
	if err != nil {
		t.Fatal(err)
	}
	passwd, err := os.ReadFile("/etc/passwd")
	if err != nil {
		t.Fatal(err)
	}
	newer := bytes.Clone(db)
	binary.BigEndian.PutUint32(newer[60:], 999) // PRAGMA user_version: the schema version
	newerStream := bytes.Clone(st)
	binary.LittleEndian.PutUint16(newerStream[stream.MagicLen:], stream.VersionMajor+1)
	scrambled := bytes.Clone(db)
	for i := 100; i < len(scrambled); i++ {
		scrambled[i] = byte(i * 7)
	}
	foreign, err := os.ReadFile(filepath.Join("testdata", "foreign.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		"empty":            nil,
		"png":              pngBytes,
		"passwd":           passwd,
		"foreign-sqlite":   foreign,
		"db-cut-in-half":   db[:len(db)/2],
		"db-header-only":   db[:100],
		"db-scrambled":     scrambled,
		"db-newer-schema":  newer,
		"stream-cut-magic": st[:5],
		"stream-newer":     newerStream,
	}
	out := map[string]string{}
	for name, b := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		out[name] = p
	}
	return out
}

// pngBytes is a 1x1 grey PNG.
var pngBytes = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x00\x00\x00\x00:~\x9bU" +
	"\x00\x00\x00\nIDATx\x9cc\x00\x00\x00\x02\x00\x01\xe5'\xde\xfc\x00\x00\x00\x00IEND\xaeB`\x82")

// mcpCall is an MCP session on stdin: initialize, then one tool call.
const mcpCall = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}
{"jsonrpc":"2.0","method":"notifications/initialized"}
{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"get_trace_stats","arguments":{}}}
`

// TestBadInputEverywhere points every read-only command at every bad file:
// each must end with exit 1 and one line on stderr that names the file,
// never a panic, a hang or a usage error.
func TestBadInputEverywhere(t *testing.T) {
	files := badInputs(t)
	out := t.TempDir()
	commands := map[string]func(path string) []string{
		"explain":   func(p string) []string { return []string{"ingero", "explain", "-d", p} },
		"query":     func(p string) []string { return []string{"ingero", "query", "-d", p} },
		"query-sql": func(p string) []string { return []string{"ingero", "query", "-d", p, "SELECT count(*) FROM events"} },
		"mcp":       func(p string) []string { return []string{"ingero", "mcp", "-d", p} },
		"dashboard": func(p string) []string { return []string{"ingero", "dashboard", "-d", p, "--addr", "127.0.0.1:0"} },
		"merge":     func(p string) []string { return []string{"ingero", "merge", p, "-o", filepath.Join(out, "m.db")} },
		"export":    func(p string) []string { return []string{"ingero", "export", "-d", p, "-o", filepath.Join(out, "t.pftrace")} },
	}
	for cname, argv := range commands {
		for fname, path := range files {
			t.Run(cname+"/"+fname, func(t *testing.T) {
				code, stdout, stderr := dispatchWithin(t, argv(path), mcpCall)
				lines := strings.Split(strings.TrimRight(stderr, "\n"), "\n")
				t.Logf("exit %d: %s", code, strings.TrimSpace(stderr))
				if code != 1 || len(lines) != 1 || lines[0] == "" || !strings.Contains(stderr, fname) {
					t.Errorf("%v: exit %d, stderr %q, stdout %.300q: want exit 1 and one line naming the file", argv(path), code, stderr, stdout)
				}
			})
		}
	}
}

// dispatchWithin runs the multiplexer in-process: a panic fails the whole
// test binary, and a command that starts serving a bad file instead of
// refusing it fails after 30 s.
func dispatchWithin(t *testing.T, argv []string, stdin string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- dispatch(argv, cli.Stdio{In: strings.NewReader(stdin), Out: &out, Err: &errOut})
	}()
	select {
	case code := <-done:
		return code, out.String(), errOut.String()
	case <-time.After(30 * time.Second):
		t.Fatalf("%v still running after 30 s", argv)
	}
	return 0, "", ""
}
