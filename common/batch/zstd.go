package batch

import (
	"fmt"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// MaxRawSize caps the decompressed size of one batch, so a hostile frame
// cannot make a reader allocate without bound.
const MaxRawSize = 256 << 20

var (
	encOnce sync.Once
	enc     *zstd.Encoder
	decOnce sync.Once
	dec     *zstd.Decoder
)

// Both are used through EncodeAll/DecodeAll only, which are safe for
// concurrent use and spawn no goroutines.
func encoder() *zstd.Encoder {
	encOnce.Do(func() {
		enc, _ = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault),
			zstd.WithEncoderConcurrency(1), zstd.WithZeroFrames(true))
	})
	return enc
}

func decoder() *zstd.Decoder {
	decOnce.Do(func() {
		dec, _ = zstd.NewReader(nil, zstd.WithDecoderConcurrency(0),
			zstd.WithDecoderMaxMemory(MaxRawSize), zstd.WithDecoderMaxWindow(32<<20))
	})
	return dec
}

// Compress appends one zstd frame holding raw to dst.
func Compress(dst, raw []byte) []byte { return encoder().EncodeAll(raw, dst) }

// Decompress appends the content of one or more zstd frames in src to dst.
func Decompress(dst, src []byte) ([]byte, error) {
	out, err := decoder().DecodeAll(src, dst)
	if err != nil {
		return dst, fmt.Errorf("%w: zstd: %w", ErrCorrupt, err)
	}
	return out, nil
}
