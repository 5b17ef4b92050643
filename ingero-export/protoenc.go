package export

import (
	"encoding/binary"
	"math"
	"strconv"
)

// msg is a protobuf message being encoded: the few wire types Perfetto's
// TracePacket needs, appended to a reusable buffer. Perfetto publishes no
// maintained Go package, and its generated code would be megabytes for
// the dozen fields written here.
type msg []byte

const (
	wireVarint = 0
	wireI64    = 1
	wireBytes  = 2
)

func (m msg) tag(field, wire int) msg {
	return binary.AppendUvarint(m, uint64(field)<<3|uint64(wire))
}

func (m msg) uint(field int, v uint64) msg {
	return binary.AppendUvarint(m.tag(field, wireVarint), v)
}

// int writes an int32/int64 field: negative values as their 64-bit two's
// complement, as protobuf does.
func (m msg) int(field int, v int64) msg { return m.uint(field, uint64(v)) }

func (m msg) bool(field int, v bool) msg {
	if v {
		return m.uint(field, 1)
	}
	return m.uint(field, 0)
}

func (m msg) double(field int, v float64) msg {
	return binary.LittleEndian.AppendUint64(m.tag(field, wireI64), math.Float64bits(v))
}

func (m msg) fixed64(field int, v uint64) msg {
	return binary.LittleEndian.AppendUint64(m.tag(field, wireI64), v)
}

func (m msg) str(field int, s string) msg {
	m = binary.AppendUvarint(m.tag(field, wireBytes), uint64(len(s)))
	return append(m, s...)
}

// eventID writes the string "<node>:<seq>" without building it first.
func (m msg) eventID(field int, node string, seq int64) msg {
	var digits [20]byte
	d := strconv.AppendInt(digits[:0], seq, 10)
	m = binary.AppendUvarint(m.tag(field, wireBytes), uint64(len(node)+1+len(d)))
	m = append(m, node...)
	m = append(m, ':')
	return append(m, d...)
}

func (m msg) bytes(field int, b []byte) msg {
	m = binary.AppendUvarint(m.tag(field, wireBytes), uint64(len(b)))
	return append(m, b...)
}

// nested writes a sub-message built by fill. The length prefix comes
// first, so the body is built after a reserved maximum-size prefix and
// moved down once its length is known: no second buffer.
func (m msg) nested(field int, fill func(msg) msg) msg {
	m = m.tag(field, wireBytes)
	start := len(m)
	m = append(m, 0, 0, 0, 0, 0) // room for a 5-byte varint (4 GiB)
	body := start + 5
	m = fill(m)
	n := len(m) - body
	var pre [binary.MaxVarintLen64]byte
	k := binary.PutUvarint(pre[:], uint64(n))
	copy(m[start:], pre[:k])
	copy(m[start+k:], m[body:])
	return m[:start+k+n]
}
