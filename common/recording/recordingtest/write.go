// Package recordingtest writes the recordings that tests of the read-only
// commands read: one fixture as a database and as a stream file, and the
// broken files every command must refuse in one line.
package recordingtest

import (
	"os"
	"path/filepath"
	"testing"

	"ingero.dev/common/event"
	"ingero.dev/common/store"
	"ingero.dev/common/stream"
)

// Recording is what a fixture holds.
type Recording struct {
	Events      []event.Event
	Chains      []event.Chain
	Annotations []event.Annotation
	Stacks      []event.Stack
	// ChunkEvents, when set, makes the database's chunks this small, so
	// that a few events span several.
	ChunkEvents int
	// Header and StopNs frame the stream file.
	Header stream.Header
	StopNs int64
}

// WriteDB writes r as a database in a temporary directory.
func WriteDB(t testing.TB, r Recording) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "fixture.db")
	w, err := store.OpenWriter(path, store.Options{FlushInterval: -1, ChunkEvents: r.ChunkEvents})
	if err != nil {
		t.Fatal(err)
	}
	must(t, w.Append(r.Events))
	if len(r.Stacks) > 0 {
		must(t, w.PutStacks(r.Stacks))
	}
	if len(r.Chains) > 0 {
		must(t, w.PutChains(r.Chains))
	}
	if len(r.Annotations) > 0 {
		must(t, w.PutAnnotations(r.Annotations))
	}
	must(t, w.Close())
	return path
}

// WriteStream writes r as a stream file in a temporary directory.
func WriteStream(t testing.TB, r Recording) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "fixture.stream")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, err := stream.NewWriter(f, r.Header)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Stacks) > 0 {
		must(t, w.WriteStacks(r.Stacks))
	}
	must(t, w.WriteEvents(r.Events))
	if len(r.Chains) > 0 {
		must(t, w.WriteChains(r.Chains))
	}
	if len(r.Annotations) > 0 {
		must(t, w.WriteAnnotations(r.Annotations))
	}
	must(t, w.Close(event.SessionStats{}, r.StopNs))
	return path
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
