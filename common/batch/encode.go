package batch

import (
	"encoding/binary"
	"unicode/utf8"

	"ingero.dev/common/event"
)

// Encoder turns event slices into batches. It keeps its buffers between
// calls, so reuse one per goroutine; it is not safe for concurrent use.
type Encoder struct {
	cols    [numCols][]byte
	strs    map[string]uint64
	strList []string
	args    [numSlots][4]uint64
	stacks  [numSlots]uint64
}

// NewEncoder returns an Encoder ready for use.
func NewEncoder() *Encoder {
	return &Encoder{strs: make(map[string]uint64)}
}

// Append encodes evs as one batch appended to dst. It panics if len(evs)
// exceeds MaxEvents; callers split larger slices. Strings longer than 4096
// bytes are stored cut to 4096 bytes or a few less, at a UTF-8 boundary, so
// that one hostile name cannot bloat every batch.
func (e *Encoder) Append(dst []byte, evs []event.Event) []byte {
	if len(evs) > MaxEvents {
		panic("batch: too many events in one batch")
	}
	e.reset()
	var prevTS int64
	var prevPID uint32
	var prevCgroup uint64
	// One-entry caches: consecutive events nearly always share strings.
	lastComm, lastCommIdx := "", uint64(0)
	lastNode, lastNodeIdx := "", uint64(0)
	c := &e.cols
	for i := range evs {
		ev := &evs[i]
		c[colTime] = binary.AppendUvarint(c[colTime], zigzag(ev.TimeNs-prevTS))
		prevTS = ev.TimeNs
		c[colPID] = binary.AppendUvarint(c[colPID], zigzag(int64(ev.PID)-int64(prevPID)))
		prevPID = ev.PID
		c[colTID] = binary.AppendUvarint(c[colTID], zigzag(int64(ev.TID)-int64(ev.PID)))
		key := uint16(ev.Source)<<8 | uint16(ev.Op)
		c[colKey] = binary.AppendUvarint(c[colKey], uint64(key))
		c[colDur] = binary.AppendUvarint(c[colDur], zigzag(ev.DurNs))
		slot := slotOf(key)
		prev := &e.args[slot]
		for a := 0; a < 4; a++ {
			c[colArg0+a] = binary.AppendUvarint(c[colArg0+a], zigzag(int64(ev.Args[a]-prev[a])))
			prev[a] = ev.Args[a]
		}
		c[colRet] = binary.AppendUvarint(c[colRet], zigzag(int64(ev.Ret)))
		c[colStack] = binary.AppendUvarint(c[colStack], ev.StackID^e.stacks[slot])
		e.stacks[slot] = ev.StackID
		if ev.Comm != lastComm || i == 0 {
			lastComm, lastCommIdx = ev.Comm, e.intern(ev.Comm)
		}
		c[colComm] = binary.AppendUvarint(c[colComm], lastCommIdx)
		if ev.Node != lastNode || i == 0 {
			lastNode, lastNodeIdx = ev.Node, e.intern(ev.Node)
		}
		c[colNode] = binary.AppendUvarint(c[colNode], lastNodeIdx)
		c[colCgroup] = binary.AppendUvarint(c[colCgroup], ev.CgroupID^prevCgroup)
		prevCgroup = ev.CgroupID
		c[colGPU] = binary.AppendUvarint(c[colGPU], zigzag(int64(ev.GPU)))
		c[colPeerPID] = binary.AppendUvarint(c[colPeerPID], uint64(ev.PeerPID))
		var peerIdx uint64
		if ev.PeerComm != "" {
			peerIdx = e.intern(ev.PeerComm)
		}
		c[colPeerComm] = binary.AppendUvarint(c[colPeerComm], peerIdx)
	}

	dst = binary.AppendUvarint(dst, uint64(len(evs)))
	dst = binary.AppendUvarint(dst, uint64(len(e.strList)))
	for _, s := range e.strList {
		dst = binary.AppendUvarint(dst, uint64(len(s)))
		dst = append(dst, s...)
	}
	dst = binary.AppendUvarint(dst, numCols)
	for i := range c {
		dst = binary.AppendUvarint(dst, uint64(len(c[i])))
		dst = append(dst, c[i]...)
	}
	return dst
}

func (e *Encoder) reset() {
	for i := range e.cols {
		e.cols[i] = e.cols[i][:0]
	}
	clear(e.strs)
	e.strList = append(e.strList[:0], "")
	e.strs[""] = 0
	e.args = [numSlots][4]uint64{}
	e.stacks = [numSlots]uint64{}
}

func (e *Encoder) intern(s string) uint64 {
	if idx, ok := e.strs[s]; ok {
		return idx
	}
	if len(s) > maxStringSize {
		s = truncate(s)
		if idx, ok := e.strs[s]; ok {
			return idx
		}
	}
	idx := uint64(len(e.strList))
	e.strs[s] = idx
	e.strList = append(e.strList, s)
	return idx
}

// truncate cuts s to at most maxStringSize bytes, backing up to the start
// of a UTF-8 sequence so valid text stays valid. Strings that long only
// come from user input such as --node; kernel task names are 15 bytes.
func truncate(s string) string {
	cut := maxStringSize
	for cut > maxStringSize-utf8.UTFMax+1 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}
