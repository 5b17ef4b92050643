package batch

import (
	"fmt"

	"ingero.dev/common/event"
)

// Brief is the part of an event that summaries need: when, who, which op,
// how long and whether it failed.
type Brief struct {
	TimeNs int64
	DurNs  int64
	PID    uint32
	Ret    int32
	Key    event.Key
}

// briefCols are the columns DecodeBrief reads; the others are skipped
// unread, strings included, which makes it several times cheaper than
// Decode.
var briefCols = [...]int{colTime, colPID, colKey, colDur, colRet}

// DecodeBrief appends the Brief of each event of one batch to dst, with
// Decode's checks on what it reads.
func DecodeBrief(src []byte, dst []Brief) ([]Brief, error) {
	r := reader{buf: src}
	n := r.uvarint()
	if r.err == nil && n > MaxEvents {
		return dst, fmt.Errorf("%w: %d events exceeds the limit of %d", ErrCorrupt, n, MaxEvents)
	}
	nstr := r.uvarint()
	if r.err == nil && (nstr == 0 || nstr > maxStrings) {
		return dst, fmt.Errorf("%w: bad string table size %d", ErrCorrupt, nstr)
	}
	for i := uint64(0); i < nstr && r.err == nil; i++ {
		r.bytes(r.uvarint())
	}
	ncol := r.uvarint()
	if r.err == nil && ncol < numCols {
		return dst, fmt.Errorf("%w: %d columns, want at least %d", ErrCorrupt, ncol, numCols)
	}
	var cols [numCols]reader
	for i := uint64(0); i < ncol && r.err == nil; i++ {
		b := r.bytes(r.uvarint())
		if i < numCols {
			cols[i] = reader{buf: b}
		}
	}
	if r.err != nil {
		return dst, r.err
	}
	for _, c := range briefCols {
		if uint64(len(cols[c].buf)) < n {
			return dst, fmt.Errorf("%w: column %d holds %d bytes for %d events", ErrCorrupt, c, len(cols[c].buf), n)
		}
	}
	if cap(dst)-len(dst) < int(n) {
		dst = append(make([]Brief, 0, len(dst)+int(n)), dst...)
	}
	out := dst[len(dst) : len(dst)+int(n)]
	var vals [numCols][chunkEvents]uint64
	var ts int64
	var pid uint32
	for base := 0; base < len(out); base += chunkEvents {
		part := out[base:min(base+chunkEvents, len(out))]
		for _, c := range briefCols {
			cols[c].fill(vals[c][:len(part)])
			if cols[c].err != nil {
				return dst, fmt.Errorf("column %d: %w", c, cols[c].err)
			}
		}
		for i := range part {
			key := vals[colKey][i]
			if key > 0xffff {
				return dst, columnError(colKey, "op key out of range")
			}
			ts += unzigzag(vals[colTime][i])
			pid = uint32(int64(pid) + unzigzag(vals[colPID][i]))
			part[i] = Brief{TimeNs: ts, DurNs: unzigzag(vals[colDur][i]), PID: pid, Ret: int32(unzigzag(vals[colRet][i])),
				Key: event.Key{Source: event.Source(key >> 8), Op: event.Op(key)}}
		}
	}
	return dst[:len(dst)+int(n)], nil
}
