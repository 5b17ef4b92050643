// Package store keeps an ingero recording in one SQLite file: events in
// compressed chunks with per-chunk summaries, plus sessions, stacks, host
// snapshots, process names, causal chains and annotations.
//
// A Writer (trace, merge) creates or migrates the file; a Reader (explain,
// query, mcp, dashboard, export) opens it read-only and never changes it.
// docs/schema.md documents every table for plain-SQL users.
//
// Events are stored as chunks because a row per event cannot keep up with
// a launch storm: one chunk holds up to a few thousand events of one node
// as a zstd-compressed batch (package batch), the same bytes a stream file
// carries in an event frame. The chunk_ops table summarises each chunk per
// (pid, source, op) so that filters and aggregates touch only the chunks
// that matter.
package store

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrNoDatabase is wrapped by OpenReadOnly's error when the file does not
// exist, so callers can add a hint such as "run sudo ingero trace".
var ErrNoDatabase = errors.New("database does not exist")

// ErrNotIngero is wrapped when a file is not SQLite, is corrupt, or is an
// SQLite database that ingero did not create.
var ErrNotIngero = errors.New("not an ingero database")

// ErrNewerSchema is wrapped when the file's schema version is newer than
// this build understands.
var ErrNewerSchema = errors.New("schema newer than this ingero")

// ErrClosed is returned by methods called after Close.
var ErrClosed = errors.New("store is closed")

// Times in the store are Unix nanoseconds; durations are nanoseconds.
const (
	minTime = int64(-1 << 63)
	maxTime = int64(1<<63 - 1)
)

// EventID names one stored event: events are numbered per node, so the
// same ID means the same event in every copy of a recording.
type EventID struct {
	Node string
	Seq  int64 // 1 for the node's first event, then +1 per event
}

// String formats the ID as "<node>:<seq>".
func (id EventID) String() string { return id.Node + ":" + strconv.FormatInt(id.Seq, 10) }

// ParseEventID is the inverse of EventID.String. The node part may itself
// contain colons; the sequence number follows the last one.
func ParseEventID(s string) (EventID, error) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return EventID{}, fmt.Errorf("parsing event id %q: want <node>:<seq>", s)
	}
	seq, err := strconv.ParseInt(s[i+1:], 10, 64)
	if err != nil || seq < 1 {
		return EventID{}, fmt.Errorf("parsing event id %q: sequence number must be a positive integer", s)
	}
	return EventID{Node: s[:i], Seq: seq}, nil
}
