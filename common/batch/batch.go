// Package batch is the columnar binary encoding of a slice of events. The
// stream format's event frames and the store's event chunks both carry it,
// so a batch written by trace can be copied between the two unchanged.
//
// Layout (all integers are unsigned LEB128 varints, "zz" means zigzag):
//
//	n                         number of events
//	nstr, {len, bytes}…       string table; index 0 is always ""
//	ncol, {len, bytes}…       one byte column per field, in column order
//
// Columns hold one value per event, delta- or xor-coded against the previous
// event (or the previous event of the same op) so that repetitive launch
// storms become long runs of small bytes that zstd then squeezes.
// docs/stream-format.md specifies the layout byte by byte.
package batch

import "errors"

// Column order is part of the format; append only.
const (
	colTime     = iota // zz(ts - prev ts)
	colPID             // zz(pid - prev pid)
	colTID             // zz(tid - pid)
	colKey             // source<<8 | op
	colDur             // zz(dur)
	colArg0            // zz(arg - prev arg of the same op slot), ×4
	colArg1            //
	colArg2            //
	colArg3            //
	colRet             // zz(ret)
	colStack           // stack ^ prev stack of the same op slot
	colComm            // string index
	colNode            // string index
	colCgroup          // cgroup ^ prev cgroup
	colGPU             // zz(gpu)
	colPeerPID         // peer pid
	colPeerComm        // string index
	numCols
)

// Limits that keep a hostile batch from allocating without bound.
const (
	MaxEvents     = 1 << 20
	maxStringSize = 4096
	// Three string fields per event plus "": the encoder can never need
	// more, so it never writes a batch the decoder refuses. Memory stays
	// bounded by the input all the same: each entry costs a length byte.
	maxStrings = 3*MaxEvents + 1
)

// ErrCorrupt is wrapped by every decoding error caused by the input bytes.
var ErrCorrupt = errors.New("corrupt event batch")

// slots hash an op key to a slot that remembers the op's previous args and
// stack. A collision only costs compression: encoder and decoder agree.
const numSlots = 256

func slotOf(key uint16) uint8 { return uint8(key) ^ uint8(key>>8)*31 }

func zigzag(v int64) uint64   { return uint64(v<<1) ^ uint64(v>>63) }
func unzigzag(u uint64) int64 { return int64(u>>1) ^ -int64(u&1) }
