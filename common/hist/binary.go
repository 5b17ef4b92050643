package hist

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Binary layout, version 1 (all integers unsigned LEB128 varints):
//
//	0x01 count                       an empty histogram stops here
//	sum min max-min nbuckets
//	{gap count}×nbuckets             gap = index − previous index − 1,
//	                                 the first previous index being −1
//
// Only non-empty buckets are written, in ascending index order, so a
// latency distribution spanning a few octaves takes tens of bytes.
const binaryVersion = 1

// ErrCorrupt is wrapped by every error that UnmarshalBinary returns.
var ErrCorrupt = errors.New("corrupt histogram")

// AppendBinary appends the encoding of h to b (encoding.BinaryAppender).
func (h *Histogram) AppendBinary(b []byte) ([]byte, error) {
	b = append(b, binaryVersion)
	b = binary.AppendUvarint(b, h.count)
	if h.count == 0 {
		return b, nil
	}
	b = binary.AppendUvarint(b, uint64(h.sum))
	b = binary.AppendUvarint(b, uint64(h.min))
	b = binary.AppendUvarint(b, uint64(h.max-h.min))
	nonEmpty := 0
	for _, o := range h.octaves {
		if o != nil {
			for _, n := range o {
				if n != 0 {
					nonEmpty++
				}
			}
		}
	}
	b = binary.AppendUvarint(b, uint64(nonEmpty))
	prev := -1
	for oct, o := range h.octaves {
		if o == nil {
			continue
		}
		for sub, n := range o {
			if n == 0 {
				continue
			}
			idx := oct*subCount + sub
			b = binary.AppendUvarint(b, uint64(idx-prev-1))
			b = binary.AppendUvarint(b, n)
			prev = idx
		}
	}
	return b, nil
}

// MarshalBinary implements encoding.BinaryMarshaler.
func (h *Histogram) MarshalBinary() ([]byte, error) { return h.AppendBinary(nil) }

// UnmarshalBinary replaces h with the histogram encoded in data. Input of
// any shape yields a consistent histogram or an error wrapping ErrCorrupt,
// never a panic, and never more than numBuckets counters of memory.
func (h *Histogram) UnmarshalBinary(data []byte) error {
	*h = Histogram{}
	r := data
	next := func() (uint64, error) {
		v, k := binary.Uvarint(r)
		if k <= 0 {
			return 0, fmt.Errorf("%w: truncated varint", ErrCorrupt)
		}
		r = r[k:]
		return v, nil
	}
	if len(r) == 0 || r[0] != binaryVersion {
		return fmt.Errorf("%w: unknown version", ErrCorrupt)
	}
	r = r[1:]
	var fields [5]uint64 // count sum min span nbuckets
	for i := range fields {
		v, err := next()
		if err != nil {
			return err
		}
		fields[i] = v
		if i == 0 && v == 0 {
			return trailing(r)
		}
	}
	count, sum, lo, span, nb := fields[0], fields[1], fields[2], fields[3], fields[4]
	if sum > math.MaxInt64 || lo > math.MaxInt64 || span > math.MaxInt64-lo {
		return fmt.Errorf("%w: sum or range out of bounds", ErrCorrupt)
	}
	if nb == 0 || nb > numBuckets {
		return fmt.Errorf("%w: %d buckets", ErrCorrupt, nb)
	}
	dec := Histogram{sum: int64(sum), min: int64(lo), max: int64(lo + span)}
	idx, first, last := -1, -1, -1
	for range nb {
		gap, err := next()
		if err != nil {
			return err
		}
		n, err := next()
		if err != nil {
			return err
		}
		if gap >= numBuckets || idx+1+int(gap) >= numBuckets {
			return fmt.Errorf("%w: bucket index out of range", ErrCorrupt)
		}
		if n == 0 || dec.count+n < dec.count {
			return fmt.Errorf("%w: bad bucket count", ErrCorrupt)
		}
		idx += 1 + int(gap)
		if first < 0 {
			first = idx
		}
		last = idx
		oct := idx / subCount
		if dec.octaves[oct] == nil {
			dec.octaves[oct] = new([subCount]uint64)
		}
		dec.octaves[oct][idx%subCount] = n
		dec.count += n
	}
	if dec.count != count {
		return fmt.Errorf("%w: buckets hold %d values, header says %d", ErrCorrupt, dec.count, count)
	}
	if !inBucket(dec.min, first) || !inBucket(dec.max, last) {
		return fmt.Errorf("%w: min or max outside the outer buckets", ErrCorrupt)
	}
	if err := trailing(r); err != nil {
		return err
	}
	*h = dec
	return nil
}

func inBucket(v int64, idx int) bool {
	oct, sub := bucketOf(uint64(v))
	return oct*subCount+sub == idx
}

func trailing(r []byte) error {
	if len(r) != 0 {
		return fmt.Errorf("%w: %d trailing bytes", ErrCorrupt, len(r))
	}
	return nil
}
