package recording

import (
	"cmp"
	"runtime"
	"slices"
	"sync"

	"ingero.dev/common/batch"
	"ingero.dev/common/stream"
)

// warning is a load problem with where it was met, so that problems found
// by the decoding goroutines still come out in file order.
type warning struct {
	off  int64
	text string
}

func (b *builder) warn(off int64, text string) { b.warns = append(b.warns, warning{off, text}) }

// decoders decode events frames on every core while the reading goroutine
// goes on framing the file: the index pass is mostly decompression, which
// one goroutine alone would make the slowest step of reading a stream.
type decoders struct {
	jobs   chan *pending
	spare  chan []byte // payload buffers the decoders are done with
	wg     sync.WaitGroup
	frames []*pending // in file order
	done   bool
}

// pending is an events frame handed to the decoders.
type pending struct {
	meta    frameMeta
	payload []byte
	plen    int   // len(payload), kept once it is freed
	err     error // damage found while decoding
}

func startDecoders() *decoders {
	d := &decoders{jobs: make(chan *pending, 16), spare: make(chan []byte, 32)}
	for range max(runtime.GOMAXPROCS(0), 1) {
		d.wg.Go(func() {
			dec, err := stream.NewPayloadDecoder()
			var briefs []batch.Brief
			for p := range d.jobs {
				if err != nil {
					p.err = err
					continue
				}
				briefs, p.err = dec.Briefs(p.payload, briefs[:0])
				if p.err == nil {
					summarize(&p.meta, briefs)
				}
				select {
				case d.spare <- p.payload[:0]:
				default:
				}
				p.payload = nil
			}
		})
	}
	return d
}

// events queues one events frame.
func (b *builder) events(fr stream.Frame) {
	var buf []byte
	select {
	case buf = <-b.dec.spare:
	default:
	}
	// fr.Payload is the reader's window: the decoders get a copy.
	p := &pending{meta: frameMeta{seq: len(b.dec.frames), off: fr.Offset}, payload: append(buf, fr.Payload...), plen: len(fr.Payload)}
	b.dec.frames = append(b.dec.frames, p)
	b.dec.jobs <- p
}

// finishEvents waits for the decoders and keeps the intact, non-empty
// frames; a damaged one is reported as Next would have reported it.
func (b *builder) finishEvents() {
	if b.dec.done {
		return
	}
	b.dec.done = true
	close(b.dec.jobs)
	b.dec.wg.Wait()
	ix := b.ix
	for _, p := range b.dec.frames {
		if p.err != nil {
			b.warn(p.meta.off, (&stream.CorruptFrameError{Offset: p.meta.off, Length: stream.FrameLength(make([]byte, p.plen)),
				Kind: stream.KindEvents, Err: p.err}).Error())
			continue
		}
		m := p.meta
		if m.n == 0 {
			continue
		}
		if ix.span.Events == 0 {
			ix.span.FirstNs, ix.span.LastNs = m.tMin, m.tMax
		}
		ix.span.FirstNs, ix.span.LastNs = min(ix.span.FirstNs, m.tMin), max(ix.span.LastNs, m.tMax)
		ix.span.Events += int64(m.n)
		ix.frames = append(ix.frames, m)
	}
	slices.SortStableFunc(b.warns, func(x, y warning) int { return cmp.Compare(x.off, y.off) })
}
