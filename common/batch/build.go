package batch

import (
	"fmt"

	"ingero.dev/common/event"
)

const chunkEvents = 256

// state is what the columns are coded against, carried from event to
// event across chunks.
type state struct {
	args   [numSlots][4]uint64
	stacks [numSlots]uint64
	ts     int64
	pid    uint32
	cgroup uint64
}

func (s *state) build(out []event.Event, v *[numCols][chunkEvents]uint64, strs []string) error {
	nstr := uint64(len(strs))
	for i := range out {
		key := v[colKey][i]
		if key > 0xffff {
			return columnError(colKey, "op key out of range")
		}
		for _, c := range [...]int{colComm, colNode, colPeerComm} {
			if v[c][i] >= nstr {
				return columnError(c, "string index out of range")
			}
		}
		ev := &out[i]
		s.ts += unzigzag(v[colTime][i])
		s.pid = uint32(int64(s.pid) + unzigzag(v[colPID][i]))
		slot := slotOf(uint16(key))
		prev := &s.args[slot]
		for a := range prev {
			prev[a] += uint64(unzigzag(v[colArg0+a][i]))
		}
		s.stacks[slot] ^= v[colStack][i]
		s.cgroup ^= v[colCgroup][i]
		*ev = event.Event{
			TimeNs:   s.ts,
			PID:      s.pid,
			TID:      uint32(int64(s.pid) + unzigzag(v[colTID][i])),
			Comm:     strs[v[colComm][i]],
			Source:   event.Source(key >> 8),
			Op:       event.Op(key),
			DurNs:    unzigzag(v[colDur][i]),
			Args:     *prev,
			Ret:      int32(unzigzag(v[colRet][i])),
			StackID:  s.stacks[slot],
			Node:     strs[v[colNode][i]],
			CgroupID: s.cgroup,
			GPU:      int32(unzigzag(v[colGPU][i])),
			PeerPID:  uint32(v[colPeerPID][i]),
			PeerComm: strs[v[colPeerComm][i]],
		}
	}
	return nil
}

func columnError(c int, msg string) error {
	return fmt.Errorf("column %d: %w: %s", c, ErrCorrupt, msg)
}
