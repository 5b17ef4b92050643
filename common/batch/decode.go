package batch

import (
	"encoding/binary"
	"fmt"

	"ingero.dev/common/event"
)

// Count reads the number of events a batch holds without decoding it.
func Count(src []byte) (int, error) {
	n, k := binary.Uvarint(src)
	if k <= 0 || n > MaxEvents {
		return 0, fmt.Errorf("%w: bad event count", ErrCorrupt)
	}
	return int(n), nil
}

// Decode appends the events of one batch to dst. Strings in the decoded
// events share one allocation per distinct value. Input of any shape yields
// either events or an error wrapping ErrCorrupt, never a panic.
func Decode(src []byte, dst []event.Event) ([]event.Event, error) {
	r := reader{buf: src}
	n := r.uvarint()
	if r.err == nil && n > MaxEvents {
		return dst, fmt.Errorf("%w: %d events exceeds the limit of %d", ErrCorrupt, n, MaxEvents)
	}
	nstr := r.uvarint()
	if r.err == nil && (nstr == 0 || nstr > maxStrings) {
		return dst, fmt.Errorf("%w: bad string table size %d", ErrCorrupt, nstr)
	}
	strs := make([]string, 0, min(nstr, uint64(len(src))))
	for i := uint64(0); i < nstr && r.err == nil; i++ {
		l := r.uvarint()
		if l > maxStringSize {
			return dst, fmt.Errorf("%w: string of %d bytes", ErrCorrupt, l)
		}
		strs = append(strs, string(r.bytes(l)))
	}
	ncol := r.uvarint()
	if r.err == nil && ncol < numCols {
		return dst, fmt.Errorf("%w: %d columns, want at least %d", ErrCorrupt, ncol, numCols)
	}
	var cols [numCols]reader
	for i := uint64(0); i < ncol && r.err == nil; i++ {
		b := r.bytes(r.uvarint())
		if i < numCols { // columns from a newer writer are skipped
			cols[i] = reader{buf: b}
		}
	}
	if r.err != nil {
		return dst, r.err
	}
	// Every value takes at least one byte, so a column shorter than n
	// bytes is corrupt; checking up front bounds the allocation below.
	for i := range cols {
		if uint64(len(cols[i].buf)) < n {
			return dst, fmt.Errorf("%w: column %d holds %d bytes for %d events", ErrCorrupt, i, len(cols[i].buf), n)
		}
	}

	dst = growEvents(dst, int(n))
	out := dst[len(dst) : len(dst)+int(n)]
	var args [numSlots][4]uint64
	var stacks [numSlots]uint64
	var ts int64
	var pid uint32
	var cgroup uint64
	str := func(c *reader) string {
		i := c.uvarint()
		if i >= uint64(len(strs)) {
			c.fail("string index out of range")
			return ""
		}
		return strs[i]
	}
	for i := range out {
		ev := &out[i]
		ts += unzigzag(cols[colTime].uvarint())
		ev.TimeNs = ts
		pid = uint32(int64(pid) + unzigzag(cols[colPID].uvarint()))
		ev.PID = pid
		ev.TID = uint32(int64(pid) + unzigzag(cols[colTID].uvarint()))
		key := cols[colKey].uvarint()
		if key > 0xffff {
			cols[colKey].fail("op key out of range")
		}
		ev.Source, ev.Op = event.Source(key>>8), event.Op(key)
		ev.DurNs = unzigzag(cols[colDur].uvarint())
		slot := slotOf(uint16(key))
		prev := &args[slot]
		for a := 0; a < 4; a++ {
			prev[a] += uint64(unzigzag(cols[colArg0+a].uvarint()))
			ev.Args[a] = prev[a]
		}
		ev.Ret = int32(unzigzag(cols[colRet].uvarint()))
		stacks[slot] ^= cols[colStack].uvarint()
		ev.StackID = stacks[slot]
		ev.Comm = str(&cols[colComm])
		ev.Node = str(&cols[colNode])
		cgroup ^= cols[colCgroup].uvarint()
		ev.CgroupID = cgroup
		ev.GPU = int32(unzigzag(cols[colGPU].uvarint()))
		ev.PeerPID = uint32(cols[colPeerPID].uvarint())
		ev.PeerComm = str(&cols[colPeerComm])
	}
	for i := range cols {
		if cols[i].err != nil {
			return dst, fmt.Errorf("column %d: %w", i, cols[i].err)
		}
	}
	return dst[:len(dst)+int(n)], nil
}

func growEvents(dst []event.Event, n int) []event.Event {
	if cap(dst)-len(dst) >= n {
		return dst
	}
	grown := make([]event.Event, len(dst), len(dst)+n)
	copy(grown, dst)
	return grown
}

// reader is a cursor that records the first error and then yields zeros,
// so decoding loops stay branch-light and check once at the end.
type reader struct {
	buf []byte
	err error
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, k := binary.Uvarint(r.buf)
	if k <= 0 {
		r.fail("truncated varint")
		return 0
	}
	r.buf = r.buf[k:]
	return v
}

func (r *reader) bytes(n uint64) []byte {
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.buf)) {
		r.fail("length past end of data")
		return nil
	}
	b := r.buf[:n]
	r.buf = r.buf[n:]
	return b
}

func (r *reader) fail(msg string) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: %s", ErrCorrupt, msg)
	}
}
