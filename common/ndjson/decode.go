package ndjson

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"ingero.dev/common/event"
)

// ErrFormat is wrapped by every error Decode returns.
var ErrFormat = errors.New("bad ndjson event")

// wireEvent mirrors a line. Strings that may hold raw bytes stay raw so
// that unquote can undo the Encoder's byte escapes; required fields are
// pointers so that their absence is an error.
type wireEvent struct {
	Timestamp     *string                    `json:"timestamp"`
	PID           *uint32                    `json:"pid"`
	TID           *uint32                    `json:"tid"`
	ProcessName   json.RawMessage            `json:"process_name"`
	Source        *string                    `json:"source"`
	Op            *string                    `json:"op"`
	DurationNs    int64                      `json:"duration_ns"`
	Args          map[string]json.RawMessage `json:"args"`
	ReturnCode    int32                      `json:"return_code"`
	Node          json.RawMessage            `json:"node"`
	PreemptorPID  *uint32                    `json:"preemptor_pid"`
	PreemptorComm json.RawMessage            `json:"preemptor_comm"`
	PeerPID       *uint32                    `json:"peer_pid"`
	PeerComm      json.RawMessage            `json:"peer_comm"`
	StackID       string                     `json:"stack_id"`
	GPU           *int32                     `json:"gpu"`
	CgroupID      uint64                     `json:"cgroup_id"`
}

// The instants an int64 of Unix nanoseconds can hold.
var minTime, maxTime = time.Unix(0, math.MinInt64), time.Unix(0, math.MaxInt64)

// Decode parses one line written by the Encoder back into the event it
// came from, exactly. It is for tests and tools, not for hot paths. Unknown
// fields are ignored, since the format only ever grows; a missing gpu
// decodes as -1.
func Decode(line []byte) (event.Event, error) {
	var w wireEvent
	if err := json.Unmarshal(line, &w); err != nil {
		return event.Event{}, fmt.Errorf("%w: %w", ErrFormat, err)
	}
	if w.Timestamp == nil || w.PID == nil || w.TID == nil || w.Source == nil || w.Op == nil {
		return event.Event{}, fmt.Errorf("%w: timestamp, pid, tid, source and op are required", ErrFormat)
	}
	t, err := time.Parse(time.RFC3339Nano, *w.Timestamp)
	if err != nil {
		return event.Event{}, fmt.Errorf("%w: timestamp: %w", ErrFormat, err)
	}
	if t.Before(minTime) || t.After(maxTime) {
		return event.Event{}, fmt.Errorf("%w: timestamp %s outside 1677–2262", ErrFormat, *w.Timestamp)
	}
	ev := event.Event{
		TimeNs:   t.UnixNano(),
		PID:      *w.PID,
		TID:      *w.TID,
		DurNs:    w.DurationNs,
		Ret:      w.ReturnCode,
		CgroupID: w.CgroupID,
		GPU:      -1,
	}
	if w.GPU != nil && *w.GPU >= 0 {
		ev.GPU = *w.GPU
	}
	if ev.Source, ev.Op, err = parseOp(*w.Source, *w.Op); err != nil {
		return event.Event{}, err
	}
	peerPID, peerComm := w.PeerPID, w.PeerComm
	if w.PreemptorPID != nil || w.PreemptorComm != nil {
		peerPID, peerComm = w.PreemptorPID, w.PreemptorComm
	}
	if peerPID != nil {
		ev.PeerPID = *peerPID
	}
	for _, s := range []struct {
		dst  *string
		raw  json.RawMessage
		name string
	}{{&ev.Comm, w.ProcessName, "process_name"}, {&ev.Node, w.Node, "node"}, {&ev.PeerComm, peerComm, "peer name"}} {
		if *s.dst, err = unquote(s.raw); err != nil {
			return event.Event{}, fmt.Errorf("%w: %s: %w", ErrFormat, s.name, err)
		}
	}
	if w.StackID != "" {
		if ev.StackID, err = parseHex(w.StackID); err != nil {
			return event.Event{}, fmt.Errorf("%w: stack_id: %w", ErrFormat, err)
		}
	}
	spec := specFor(ev.Source, ev.Op)
	if ev.Args, err = decodeArgs(&spec, w.Args); err != nil {
		return event.Event{}, fmt.Errorf("%w: args: %w", ErrFormat, err)
	}
	return ev, nil
}

// parseOp resolves names, including the "source(N)" and "cuda/op(N)"
// spellings the Encoder uses for ids this build does not know.
func parseOp(source, op string) (event.Source, event.Op, error) {
	s, ok := event.SourceByName(source)
	if !ok {
		n, err := parseID(source, "source(")
		if err != nil {
			return 0, 0, fmt.Errorf("%w: unknown source %q", ErrFormat, source)
		}
		s = event.Source(n)
	}
	if oi, ok := event.OpByName(op); ok && oi.Source == s {
		return s, oi.Op, nil
	}
	rest, ok := strings.CutPrefix(op, s.String()+"/")
	n, err := parseID(rest, "op(")
	if !ok || err != nil {
		return 0, 0, fmt.Errorf("%w: unknown op %q of source %q", ErrFormat, op, source)
	}
	return s, event.Op(n), nil
}

func parseID(s, prefix string) (uint8, error) {
	num, ok := strings.CutPrefix(s, prefix)
	num, ok2 := strings.CutSuffix(num, ")")
	if !ok || !ok2 {
		return 0, fmt.Errorf("want %sN)", prefix)
	}
	n, err := strconv.ParseUint(num, 10, 8)
	return uint8(n), err
}
