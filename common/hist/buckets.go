package hist

import "math/bits"

const (
	subBits    = 7
	subCount   = 1 << subBits // buckets per octave
	numOctaves = 64 - subBits // octave 56 holds values up to MaxInt64
	numBuckets = numOctaves * subCount
)

// bucketOf maps a non-negative value to its octave and sub-bucket. Octave 0
// holds 0..127 one value per bucket; octave j ≥ 1 holds
// [128·2^(j-1), 256·2^(j-1)) in buckets 2^(j-1) wide.
func bucketOf(v uint64) (oct, sub int) {
	if v < subCount {
		return 0, int(v)
	}
	shift := bits.Len64(v) - 1 - subBits
	return shift + 1, int(v>>uint(shift)) & (subCount - 1)
}

func bucketLo(oct, sub int) int64 {
	if oct == 0 {
		return int64(sub)
	}
	return int64(subCount+sub) << uint(oct-1)
}

func bucketWidth(oct int) int64 {
	if oct == 0 {
		return 1
	}
	return 1 << uint(oct-1)
}

// bucketMid is the middle of the integers a bucket covers; for buckets one
// value wide it is that value.
func bucketMid(oct, sub int) int64 {
	return bucketLo(oct, sub) + (bucketWidth(oct)-1)/2
}
