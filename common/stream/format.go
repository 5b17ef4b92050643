package stream

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"

	"ingero.dev/common/batch"
)

// MagicLen is the length of the magic that opens every stream; IsStream
// needs that many bytes to decide.
const MagicLen = 8

// magic is PNG-style: a high first byte catches 7-bit transports, and it
// differs from SQLite's "SQLite format 3\x00" in the very first byte.
var magic = [MagicLen]byte{0x89, 'I', 'N', 'G', 'E', 'R', 'O', '\n'}

// IsStream reports whether first, the opening bytes of a file, is an
// ingero stream. It needs at least MagicLen bytes.
func IsStream(first []byte) bool {
	return len(first) >= MagicLen && bytes.Equal(first[:MagicLen], magic[:])
}

// The format version this package writes. Readers accept any minor
// version of their major: minors only add what old readers can skip.
const (
	VersionMajor = 1
	VersionMinor = 0
)

// prefixLen is the magic plus the two uint16 version numbers.
const prefixLen = MagicLen + 4

// Kind says what a frame carries. Values are part of the format: never
// renumber, only append. A reader skips kinds it does not know.
type Kind uint8

// Frame kinds.
const (
	KindHeader      Kind = 1
	KindEvents      Kind = 2
	KindStacks      Kind = 3
	KindSnapshots   Kind = 4
	KindProcesses   Kind = 5
	KindChains      Kind = 6
	KindTrailer     Kind = 7
	KindAnnotations Kind = 8
)

var kindNames = [...]string{"", "header", "events", "stacks", "snapshots", "processes", "chains", "trailer", "annotations"}

func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

func (k Kind) known() bool { return k >= KindHeader && int(k) < len(kindNames) }

// Frame layout: sync marker, kind, payload length, header checksum, then
// the payload and its checksum. The header checksum lets a reader trust
// the length before it reads the payload, and tells a real sync marker
// from the same four bytes inside compressed data.
const (
	frameHeaderLen  = 13
	frameTrailerLen = 4
	frameOverhead   = frameHeaderLen + frameTrailerLen
)

var syncMarker = [4]byte{0xEE, 'I', 'F', 0x1D}

// Limits a reader applies by default; see WithMaxFrameSize and
// WithMaxRawSize. The writer never exceeds them.
const (
	DefaultMaxFrameSize = 64 << 20
	DefaultMaxRawSize   = batch.MaxRawSize
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func checksum(b []byte) uint32 { return crc32.Checksum(b, castagnoli) }

// appendFrameHeader appends a frame header with a zero length; finishFrame
// fills the length and both checksums once the payload is in place.
func appendFrameHeader(dst []byte, kind Kind) []byte {
	dst = append(dst, syncMarker[:]...)
	dst = append(dst, byte(kind))
	return append(dst, make([]byte, 8)...)
}

// finishFrame completes the frame that starts at dst[start:].
func finishFrame(dst []byte, start int) []byte {
	h := dst[start : start+frameHeaderLen]
	payload := dst[start+frameHeaderLen:]
	binary.LittleEndian.PutUint32(h[5:], uint32(len(payload)))
	binary.LittleEndian.PutUint32(h[9:], checksum(h[:9]))
	return binary.LittleEndian.AppendUint32(dst, checksum(payload))
}

// parseFrameHeader checks h, at least frameHeaderLen bytes, and returns
// the frame's kind and payload length.
func parseFrameHeader(h []byte) (Kind, uint32, bool) {
	if !bytes.Equal(h[:4], syncMarker[:]) || binary.LittleEndian.Uint32(h[9:]) != checksum(h[:9]) {
		return 0, 0, false
	}
	return Kind(h[4]), binary.LittleEndian.Uint32(h[5:]), true
}
