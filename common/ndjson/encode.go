package ndjson

import (
	"io"
	"strconv"
	"time"

	"ingero.dev/common/event"
)

// flushAt is the buffered size at which Encode writes through on its own.
const flushAt = 32 << 10

// Encoder writes events as NDJSON lines. It buffers: call Flush after each
// batch so that a reader on a pipe sees lines promptly. An Encoder is not
// safe for concurrent use.
type Encoder struct {
	w   io.Writer
	buf []byte
	err error

	// The "…","timestamp":"YYYY-MM-DDThh:mm:ss." prefix of the last
	// second seen; consecutive events mostly share it.
	sec    int64
	secBuf []byte

	ops [256]*[256]opEntry // by source, then op; built on first use
}

type opEntry struct {
	head  []byte // ,"source":"…","op":"…","duration_ns":
	spec  argSpec
	sched bool // sched_switch names its peer preemptor_*
}

// NewEncoder returns an Encoder writing to w.
func NewEncoder(w io.Writer) *Encoder {
	return &Encoder{w: w, buf: make([]byte, 0, flushAt+4096), sec: -1 << 63}
}

// Encode buffers one event and writes the buffer through once it is large.
// Errors from w are sticky: after one, Encode and Flush return it.
func (e *Encoder) Encode(ev *event.Event) error {
	if e.err != nil {
		return e.err
	}
	e.buf = e.Append(e.buf, ev)
	if len(e.buf) >= flushAt {
		return e.Flush()
	}
	return nil
}

// EncodeBatch encodes the events and flushes.
func (e *Encoder) EncodeBatch(evs []event.Event) error {
	for i := range evs {
		if err := e.Encode(&evs[i]); err != nil {
			return err
		}
	}
	return e.Flush()
}

// Flush writes whatever is buffered.
func (e *Encoder) Flush() error {
	if e.err != nil || len(e.buf) == 0 {
		return e.err
	}
	_, e.err = e.w.Write(e.buf)
	e.buf = e.buf[:0]
	return e.err
}

// Append appends the line of ev, newline included, to dst.
func (e *Encoder) Append(dst []byte, ev *event.Event) []byte {
	dst = e.appendTimestamp(dst, ev.TimeNs)
	dst = append(dst, `","pid":`...)
	dst = strconv.AppendUint(dst, uint64(ev.PID), 10)
	dst = append(dst, `,"tid":`...)
	dst = strconv.AppendUint(dst, uint64(ev.TID), 10)
	dst = append(dst, `,"process_name":`...)
	dst = appendString(dst, ev.Comm)
	op := e.entry(ev.Source, ev.Op)
	dst = append(dst, op.head...)
	dst = strconv.AppendInt(dst, ev.DurNs, 10)
	dst = append(dst, `,"args":{`...)
	dst = appendArgs(dst, &op.spec, &ev.Args)
	dst = append(dst, `},"return_code":`...)
	dst = strconv.AppendInt(dst, int64(ev.Ret), 10)
	dst = append(dst, `,"node":`...)
	dst = appendString(dst, ev.Node)
	if ev.PeerPID != 0 || ev.PeerComm != "" {
		if op.sched {
			dst = append(dst, `,"preemptor_pid":`...)
		} else {
			dst = append(dst, `,"peer_pid":`...)
		}
		dst = strconv.AppendUint(dst, uint64(ev.PeerPID), 10)
		if op.sched {
			dst = append(dst, `,"preemptor_comm":`...)
		} else {
			dst = append(dst, `,"peer_comm":`...)
		}
		dst = appendString(dst, ev.PeerComm)
	}
	if ev.StackID != 0 {
		dst = append(dst, `,"stack_id":"0x`...)
		dst = strconv.AppendUint(dst, ev.StackID, 16)
		dst = append(dst, '"')
	}
	if ev.GPU >= 0 {
		dst = append(dst, `,"gpu":`...)
		dst = strconv.AppendInt(dst, int64(ev.GPU), 10)
	}
	if ev.CgroupID != 0 {
		dst = append(dst, `,"cgroup_id":`...)
		dst = strconv.AppendUint(dst, ev.CgroupID, 10)
	}
	return append(dst, '}', '\n')
}

// appendTimestamp appends `{"timestamp":"` and the RFC 3339 UTC time with
// all nine fractional digits, so lines sort as text.
func (e *Encoder) appendTimestamp(dst []byte, ns int64) []byte {
	sec, frac := ns/1e9, ns%1e9
	if frac < 0 {
		sec, frac = sec-1, frac+1e9
	}
	if sec != e.sec {
		e.sec = sec
		e.secBuf = append(e.secBuf[:0], `{"timestamp":"`...)
		e.secBuf = time.Unix(sec, 0).UTC().AppendFormat(e.secBuf, "2006-01-02T15:04:05")
		e.secBuf = append(e.secBuf, '.')
	}
	dst = append(dst, e.secBuf...)
	var digits [9]byte
	for i := 8; i >= 0; i-- {
		digits[i] = byte('0' + frac%10)
		frac /= 10
	}
	dst = append(dst, digits[:]...)
	return append(dst, 'Z')
}

func (e *Encoder) entry(s event.Source, o event.Op) *opEntry {
	bySource := e.ops[s]
	if bySource == nil {
		bySource = new([256]opEntry)
		e.ops[s] = bySource
	}
	ent := &bySource[o]
	if ent.head == nil {
		ent.head = append(ent.head, `,"source":`...)
		ent.head = appendString(ent.head, s.String())
		ent.head = append(ent.head, `,"op":`...)
		ent.head = appendString(ent.head, event.OpName(s, o))
		ent.head = append(ent.head, `,"duration_ns":`...)
		ent.spec = specFor(s, o)
		ent.sched = s == event.SourceHost && o == event.SchedSwitch
	}
	return ent
}

func appendArgs(dst []byte, spec *argSpec, args *[4]uint64) []byte {
	start := len(dst)
	for i, v := range args {
		f := spec[i]
		if !f.fits(v) {
			if v != 0 {
				dst = appendKey(dst, start, rawArgNames[i])
				dst = strconv.AppendUint(dst, v, 10)
			}
			continue
		}
		switch f.kind {
		case kindNum:
			dst = strconv.AppendUint(appendKey(dst, start, f.name), v, 10)
		case kindInt:
			dst = strconv.AppendInt(appendKey(dst, start, f.name), int64(v), 10)
		case kindHex:
			dst = append(appendKey(dst, start, f.name), '"', '0', 'x')
			dst = append(strconv.AppendUint(dst, v, 16), '"')
		case kindBool:
			dst = strconv.AppendBool(appendKey(dst, start, f.name), v == 1)
		case kindCopy:
			dst = append(appendKey(dst, start, f.name), '"')
			dst = append(append(dst, copyKinds[v]...), '"')
		case kindPorts:
			dst = strconv.AppendUint(appendKey(dst, start, "sport"), v>>16, 10)
			dst = strconv.AppendUint(appendKey(dst, start, "dport"), v&0xffff, 10)
		case kindRank:
			dst = strconv.AppendUint(appendKey(dst, start, "rank"), v&0xffffffff, 10)
			dst = strconv.AppendUint(appendKey(dst, start, "nranks"), v>>32, 10)
		}
	}
	return dst
}

// appendKey appends "name": preceded by a comma unless it is the first
// member written since start. Names are fixed ASCII and need no escaping.
func appendKey(dst []byte, start int, name string) []byte {
	if len(dst) > start {
		dst = append(dst, ',')
	}
	dst = append(dst, '"')
	dst = append(dst, name...)
	return append(dst, '"', ':')
}

var rawArgNames = [4]string{"arg0", "arg1", "arg2", "arg3"}
