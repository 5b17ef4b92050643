package merge

import (
	"context"
	"fmt"

	"ingero.dev/common/batch"
	"ingero.dev/common/event"
	"ingero.dev/common/store"
)

// copyEvents copies the input's chunks as they are stored, without
// decoding them, under one transaction per input. Only a chunk whose node
// is renamed is decoded and re-encoded, since its events carry the node
// name. Memory stays at one chunk.
func copyEvents(ctx context.Context, w *store.Writer, s *source, prog *progress) error {
	var enc *batch.Encoder
	var evs []event.Event
	var raw []byte
	err := w.Batch(func() error {
		return s.rec.RawChunks(ctx, func(c *store.RawChunk) error {
			n := s.node(c.Node)
			if n == nil {
				return fmt.Errorf("chunk of node %q is missing from the node index", c.Node)
			}
			c.FirstSeq += n.offset
			if id, ok := s.sessions[c.Session]; ok {
				c.Session = id
			} else {
				c.Session = renameID(c.Session, c.Node, n.merged)
			}
			if n.merged != c.Node {
				if enc == nil {
					enc = batch.NewEncoder()
				}
				var err error
				if evs, err = c.Events(evs[:0]); err != nil {
					return err
				}
				for i := range evs {
					evs[i].Node = n.merged
				}
				raw = enc.Append(raw[:0], evs)
				c.Data = batch.Compress(c.Data[:0:0], raw)
				c.Node = n.merged
			}
			if err := w.PutRawChunk(c); err != nil {
				return err
			}
			prog.add(s, int64(c.N))
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("merging events of %s: %w", s.path, err)
	}
	return nil
}
