package stacks

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// pyLayout is where CPython keeps what the walker reads, for one minor
// version on x86-64 (release builds). 3.10-3.12 come from the versions'
// own headers (pyoffsets_test.go checks them against the installed
// headers where they are present); 3.13 publishes them in _Py_DebugOffsets
// at the start of _PyRuntime, which the walker reads instead.
type pyLayout struct {
	minor       int
	interpHead  uint64 // _PyRuntime.interpreters.head
	threadsHead uint64 // PyInterpreterState.threads.head
	tsNext      uint64
	tsNativeTID uint64 // 0: the version has none (3.10), match pthread_t
	tsThreadID  uint64
	tsFrame     uint64 // 3.10 frame, 3.11/3.12 cframe, 3.13 current_frame
	cframeFrame int64  // -1: tsFrame holds the frame itself
	frPrevious  uint64
	frCode      uint64
	frInstr     uint64 // 3.10: int f_lasti; later: pointer into the code
	frOwner     int64  // -1: no owner field
	ownerCStack int    // -1: no C-stack shim frames
	coFilename  uint64
	coName      uint64 // qualified name from 3.11
	coFirstLine uint64
	coLinetable uint64
	coCode      uint64 // 3.11+: co_code_adaptive's offset in the code object
	asciiSize   uint64 // sizeof(PyASCIIObject)
	compactSize uint64 // sizeof(PyCompactUnicodeObject)
}

var pyLayouts = map[int]pyLayout{
	10: {minor: 10, interpHead: 32, threadsHead: 8, tsNext: 8, tsThreadID: 176, tsFrame: 24, cframeFrame: -1,
		frPrevious: 24, frCode: 32, frInstr: 96, frOwner: -1, ownerCStack: -1,
		coFilename: 104, coName: 112, coFirstLine: 40, coLinetable: 120, asciiSize: 48, compactSize: 72},
	11: {minor: 11, interpHead: 40, threadsHead: 16, tsNext: 8, tsNativeTID: 160, tsThreadID: 152, tsFrame: 56, cframeFrame: 8,
		frPrevious: 48, frCode: 32, frInstr: 56, frOwner: 69, ownerCStack: -1,
		coFilename: 112, coName: 128, coFirstLine: 72, coLinetable: 136, coCode: 184, asciiSize: 48, compactSize: 72},
	12: {minor: 12, interpHead: 40, threadsHead: 72, tsNext: 8, tsNativeTID: 144, tsThreadID: 136, tsFrame: 56, cframeFrame: 0,
		frPrevious: 8, frCode: 0, frInstr: 56, frOwner: 70, ownerCStack: 3,
		coFilename: 112, coName: 128, coFirstLine: 68, coLinetable: 136, coCode: 192, asciiSize: 40, compactSize: 56},
}

// Where 3.13's _Py_DebugOffsets keeps each offset (its own layout, fixed
// within a minor version).
const (
	dbgSize             = 584
	dbgVersion          = 8
	dbgInterpHead       = 40
	dbgThreadsHead      = 72
	dbgTsNext           = 168
	dbgTsCurrentFrame   = 184
	dbgTsNativeTID      = 200
	dbgFrPrevious       = 232
	dbgFrExecutable     = 240
	dbgFrInstr          = 248
	dbgFrOwner          = 264
	dbgCoFilename       = 280
	dbgCoQualname       = 296
	dbgCoLinetable      = 304
	dbgCoFirstLine      = 312
	dbgCoAdaptive       = 344
	dbgUnicodeASCIISize = 560
)

// debugLayout reads 3.13's offsets from the running interpreter.
func debugLayout(mem memory, runtime uint64) (pyLayout, error) {
	buf := make([]byte, dbgSize)
	if err := mem.read(runtime, buf); err != nil {
		return pyLayout{}, err
	}
	return parseDebugOffsets(buf, fmt.Sprintf("_PyRuntime at %#x", runtime))
}

// parseDebugOffsets reads _Py_DebugOffsets from the first dbgSize bytes of
// _PyRuntime; where names them in errors.
func parseDebugOffsets(buf []byte, where string) (pyLayout, error) {
	if len(buf) < dbgSize || !bytes.Equal(buf[:8], []byte("xdebugpy")) {
		return pyLayout{}, fmt.Errorf("%s does not start with the debug offsets cookie", where)
	}
	at := func(off int) uint64 { return binary.LittleEndian.Uint64(buf[off:]) }
	version := at(dbgVersion) // PY_VERSION_HEX
	if minor := int(version>>16) & 0xff; version>>24 != 3 || minor != 13 {
		return pyLayout{}, fmt.Errorf("interpreter reports version %#x; the walker reads 3.13's debug offsets", version)
	}
	ascii := at(dbgUnicodeASCIISize)
	return pyLayout{
		minor: 13, interpHead: at(dbgInterpHead), threadsHead: at(dbgThreadsHead), tsNext: at(dbgTsNext),
		tsNativeTID: at(dbgTsNativeTID), tsFrame: at(dbgTsCurrentFrame), cframeFrame: -1,
		frPrevious: at(dbgFrPrevious), frCode: at(dbgFrExecutable), frInstr: at(dbgFrInstr),
		frOwner: int64(at(dbgFrOwner)), ownerCStack: 3,
		coFilename: at(dbgCoFilename), coName: at(dbgCoQualname), coFirstLine: at(dbgCoFirstLine),
		coLinetable: at(dbgCoLinetable), coCode: at(dbgCoAdaptive),
		// PyCompactUnicodeObject adds utf8_length and utf8 to PyASCIIObject.
		asciiSize: ascii, compactSize: ascii + 16,
	}, nil
}

// frameSpan is how many bytes of a frame the walker reads at once.
func (l *pyLayout) frameSpan() uint64 {
	return max(l.frPrevious, l.frCode, l.frInstr, uint64(max(l.frOwner, 0))) + 8
}
