package stream

import (
	"fmt"

	"ingero.dev/common/batch"
)

// PayloadDecoder decodes the events payloads WithEventPayloads hands out,
// with the checks Next makes. Each goroutine needs its own.
type PayloadDecoder struct {
	r *Reader
}

// NewPayloadDecoder applies the limits of opts.
func NewPayloadDecoder(opts ...Option) (*PayloadDecoder, error) {
	r, err := newFrameDecoder(opts)
	if err != nil {
		return nil, err
	}
	return &PayloadDecoder{r: r}, nil
}

// Briefs appends the Brief of each event of an events frame's payload to
// dst. An error means the frame is damaged: wrap it in a
// *CorruptFrameError (FrameLength gives its Length), as Next would have.
func (d *PayloadDecoder) Briefs(payload []byte, dst []batch.Brief) ([]batch.Brief, error) {
	env, raw, err := d.r.unpack(payload)
	if err != nil {
		return dst, err
	}
	n := len(dst)
	if dst, err = batch.DecodeBrief(raw, dst); err != nil {
		return dst, err
	}
	if uint64(len(dst)-n) != env.count {
		return dst, fmt.Errorf("batch holds %d events, the envelope says %d", len(dst)-n, env.count)
	}
	return dst, nil
}

// FrameLength is the length in the stream of a frame with this payload,
// as a *CorruptFrameError reports it.
func FrameLength(payload []byte) int64 { return int64(frameOverhead + len(payload)) }
