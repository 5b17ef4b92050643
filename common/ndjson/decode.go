package ndjson

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

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

func decodeArgs(spec *argSpec, raw map[string]json.RawMessage) ([4]uint64, error) {
	var args [4]uint64
	var set [4]bool
	put := func(slot int, v uint64, key string) error {
		if set[slot] && spec[slot].kind != kindPorts {
			return fmt.Errorf("%s sets slot %d twice", key, slot)
		}
		set[slot] = true
		args[slot] |= v
		return nil
	}
	for key, val := range raw {
		slot, f := lookupArg(spec, key)
		if slot < 0 {
			continue // a name from a newer writer
		}
		v, err := parseArg(f, key, val)
		if err != nil {
			return args, fmt.Errorf("%s: %w", key, err)
		}
		if err := put(slot, v, key); err != nil {
			return args, err
		}
	}
	return args, nil
}

// lookupArg finds the slot a key fills and how its value is written.
func lookupArg(spec *argSpec, key string) (int, argField) {
	for i, n := range rawArgNames {
		if key == n {
			return i, argField{n, kindNum}
		}
	}
	for i, f := range spec {
		if f.name == "" {
			continue
		}
		if f.name == key || f.kind == kindPorts && (key == "sport" || key == "dport") {
			return i, f
		}
	}
	return -1, argField{}
}

func parseArg(f argField, key string, raw json.RawMessage) (uint64, error) {
	text := string(raw)
	switch f.kind {
	case kindNum:
		return strconv.ParseUint(text, 10, 64)
	case kindInt:
		v, err := strconv.ParseInt(text, 10, 64)
		return uint64(v), err
	case kindBool:
		switch text {
		case "true":
			return 1, nil
		case "false":
			return 0, nil
		}
		return 0, fmt.Errorf("want true or false, got %s", text)
	case kindPorts:
		v, err := strconv.ParseUint(text, 10, 16)
		if key == "sport" {
			v <<= 16
		}
		return v, err
	}
	s, err := unquote(raw)
	if err != nil {
		return 0, err
	}
	if f.kind == kindHex {
		return parseHex(s)
	}
	for i, name := range copyKinds {
		if s == name {
			return uint64(i), nil
		}
	}
	return 0, fmt.Errorf("unknown memcpy kind %q", s)
}

func parseHex(s string) (uint64, error) {
	digits, ok := strings.CutPrefix(s, "0x")
	if !ok {
		return 0, fmt.Errorf("want 0x-prefixed hex, got %q", s)
	}
	return strconv.ParseUint(digits, 16, 64)
}

// unquote decodes a JSON string literal, mapping \u0080–\u00ff escapes
// back to the raw bytes the Encoder escaped. Absent and null give "".
func unquote(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", fmt.Errorf("want a string, got %.20s", raw)
	}
	s := raw[1 : len(raw)-1]
	if !strings.ContainsRune(string(s), '\\') {
		return string(s), nil
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		if s[i] != '\\' {
			out = append(out, s[i])
			i++
			continue
		}
		if i+1 >= len(s) {
			return "", errors.New("dangling backslash")
		}
		c := s[i+1]
		i += 2
		switch c {
		case '"', '\\', '/':
			out = append(out, c)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := hex4(s[i:])
			if !ok {
				return "", errors.New("bad \\u escape")
			}
			i += 4
			switch {
			case r >= 0x80 && r <= 0xff:
				out = append(out, byte(r))
			case utf16.IsSurrogate(r):
				r2, ok := rune(0), false
				if i+6 <= len(s) && s[i] == '\\' && s[i+1] == 'u' {
					r2, ok = hex4(s[i+2:])
				}
				if dec := utf16.DecodeRune(r, r2); ok && dec != utf8.RuneError {
					out = utf8.AppendRune(out, dec)
					i += 6
				} else {
					out = utf8.AppendRune(out, utf8.RuneError)
				}
			default:
				out = utf8.AppendRune(out, r)
			}
		default:
			return "", fmt.Errorf("bad escape \\%c", c)
		}
	}
	return string(out), nil
}

func hex4(s []byte) (rune, bool) {
	if len(s) < 4 {
		return 0, false
	}
	v, err := strconv.ParseUint(string(s[:4]), 16, 16)
	return rune(v), err == nil
}
