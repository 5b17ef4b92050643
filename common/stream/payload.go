package stream

import (
	"encoding/binary"
	"errors"
	"fmt"

	"ingero.dev/common/batch"
)

// Every payload is an envelope: the number of records, the length and
// CRC32C of the content, and the content compressed as one zstd frame.
// The count lets a reader tally events without decompressing; the content
// checksum catches what the frame checksum cannot, a bad decompression.
func appendPayload(dst []byte, count int, raw []byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(count))
	dst = binary.AppendUvarint(dst, uint64(len(raw)))
	dst = binary.LittleEndian.AppendUint32(dst, checksum(raw))
	return batch.Compress(dst, raw)
}

type envelope struct {
	count  uint64
	rawLen uint64
	rawCRC uint32
	data   []byte // zstd
}

var errEnvelope = errors.New("payload envelope cut short")

func parseEnvelope(p []byte) (envelope, error) {
	var e envelope
	var k int
	if e.count, k = binary.Uvarint(p); k <= 0 {
		return e, errEnvelope
	}
	p = p[k:]
	if e.rawLen, k = binary.Uvarint(p); k <= 0 {
		return e, errEnvelope
	}
	p = p[k:]
	if len(p) < 4 {
		return e, errEnvelope
	}
	e.rawCRC = binary.LittleEndian.Uint32(p)
	e.data = p[4:]
	return e, nil
}

// unpack decompresses an envelope's content into dst[:0], refusing any
// content larger than maxRaw before and while decompressing.
func (r *Reader) unpack(p []byte) (envelope, []byte, error) {
	e, err := parseEnvelope(p)
	if err != nil {
		return e, nil, err
	}
	if e.rawLen > uint64(r.opts.maxRaw) {
		return e, nil, fmt.Errorf("content of %d bytes exceeds the %d-byte limit", e.rawLen, r.opts.maxRaw)
	}
	raw, err := r.zdec.DecodeAll(e.data, r.raw[:0])
	if err != nil {
		return e, nil, fmt.Errorf("decompressing: %w", err)
	}
	r.raw = raw[:0]
	if uint64(len(raw)) != e.rawLen {
		return e, nil, fmt.Errorf("content is %d bytes, the envelope says %d", len(raw), e.rawLen)
	}
	if checksum(raw) != e.rawCRC {
		return e, nil, errors.New("content checksum mismatch")
	}
	return e, raw, nil
}
