package store

import (
	"context"
	"testing"

	"ingero.dev/common/batch/batchtest"
)

// Copying chunks raw into another file keeps every event, its ID and the
// chunk summaries, and moves the node's next sequence number past them.
func TestRawChunkCopyKeepsIDs(t *testing.T) {
	evs := batchtest.Mixed(7, 10000)
	for i := range evs {
		evs[i].Node = "n1"
	}
	src := tempDB(t)
	writeDB(t, src, Options{FlushInterval: -1, ChunkEvents: 512}, evs)
	r := openReader(t, src)
	dst := tempDB(t)
	w, err := OpenWriter(dst, Options{FlushInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	const offset = 1000
	err = w.Batch(func() error {
		return r.RawChunks(context.Background(), func(c *RawChunk) error {
			if len(c.Ops) == 0 {
				t.Errorf("chunk %d without its summary", c.FirstSeq)
			}
			c.FirstSeq += offset
			return w.PutRawChunk(c)
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	out := openReader(t, dst)
	sameEvents(t, "copied", readAll(t, out, Filter{}), readAll(t, r, Filter{}))
	seqs, err := out.NodeSeqs()
	if err != nil || seqs["n1"] != offset+int64(len(evs))+1 {
		t.Errorf("next_seq %v %v, want %d", seqs, err, offset+len(evs)+1)
	}
	ev, ok, err := out.Event(context.Background(), EventID{Node: "n1", Seq: offset + 1})
	first, _, _ := r.Event(context.Background(), EventID{Node: "n1", Seq: 1})
	if err != nil || !ok || ev != first {
		t.Errorf("n1:%d = %+v, want n1:1 of the source", offset+1, ev)
	}
	a, err := r.OpSummary(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := out.OpSummary(context.Background(), Filter{})
	if err != nil || len(a) != len(b) || a[0] != b[0] {
		t.Errorf("summaries differ: %v vs %v (%v)", a, b, err)
	}
}
