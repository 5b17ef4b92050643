package recording

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"ingero.dev/common/event"
	"ingero.dev/common/store"
	"ingero.dev/common/stream"
)

// openStream loads a stream file into a private temporary database, so
// SQL, summaries and filtered reads work on it exactly as on a database.
// The import runs at the store's bulk speed (millions of events per second)
// and keeps memory bounded to one frame.
func openStream(path string) (*Recording, error) {
	tmp, err := os.MkdirTemp("", "ingero-stream-")
	if err != nil {
		return nil, fmt.Errorf("loading stream %s: %w", path, err)
	}
	rec := &Recording{Path: path, Kind: Stream, tmpDir: tmp}
	dbPath := filepath.Join(tmp, "imported.db")
	if err := importStream(path, dbPath, rec); err != nil {
		os.RemoveAll(tmp)
		return nil, fmt.Errorf("loading stream %s: %w", path, err)
	}
	r, err := store.OpenReadOnly(dbPath)
	if err != nil {
		os.RemoveAll(tmp)
		return nil, fmt.Errorf("loading stream %s: %w", path, err)
	}
	rec.Reader, rec.Source = r, r
	return rec, nil
}

// openStreamIndex reads a stream in place (index.go).
func openStreamIndex(path string) (*Recording, error) {
	rec := &Recording{Path: path, Kind: Stream}
	ix, err := indexStream(path, rec)
	if err != nil {
		return nil, fmt.Errorf("loading stream %s: %w", path, err)
	}
	rec.index, rec.Source = ix, ix
	return rec, nil
}

// Store returns the recording's database reader, for SQL. A stream opened
// in place is loaded into a private temporary database on the first call
// (at the store's bulk speed, memory bounded to one frame); the warnings
// of that load were already given when it was opened.
func (r *Recording) Store() (*store.Reader, error) {
	if r.Reader != nil {
		return r.Reader, nil
	}
	tmp, err := os.MkdirTemp("", "ingero-stream-")
	if err != nil {
		return nil, fmt.Errorf("loading stream %s: %w", r.Path, err)
	}
	dbPath := filepath.Join(tmp, "imported.db")
	if err := importStream(r.Path, dbPath, &Recording{}); err != nil {
		os.RemoveAll(tmp)
		return nil, fmt.Errorf("loading stream %s: %w", r.Path, err)
	}
	rd, err := store.OpenReadOnly(dbPath)
	if err != nil {
		os.RemoveAll(tmp)
		return nil, fmt.Errorf("loading stream %s: %w", r.Path, err)
	}
	r.Reader, r.tmpDir = rd, tmp
	return rd, nil
}

func importStream(src, dst string, rec *Recording) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	sr, err := stream.NewReader(f)
	if err != nil {
		return err
	}
	w, err := store.OpenWriter(dst, store.Options{FlushInterval: -1})
	if err != nil {
		return err
	}
	imp := importer{w: w, rec: rec}
	if h, ok := sr.Header(); ok {
		imp.begin(stream.Session(h, nil))
	}
	for {
		fr, err := sr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var bad *stream.CorruptFrameError
		if errors.As(err, &bad) {
			rec.Warnings = append(rec.Warnings, bad.Error())
			continue
		}
		if err != nil {
			w.Close()
			return err
		}
		if err := imp.frame(fr); err != nil {
			w.Close()
			return err
		}
	}
	if imp.session != "" {
		rec.Warnings = append(rec.Warnings, fmt.Sprintf("%s has no trailer: the recording was cut off (a crash, or trace is still writing it); every complete frame before the cut was loaded", src))
		imp.end(0, event.SessionStats{})
	}
	if imp.err != nil {
		w.Close()
		return imp.err
	}
	return w.Close()
}

// importer copies frames into the writer, remembering the first error.
type importer struct {
	w       *store.Writer
	rec     *Recording
	session string
	err     error
}

func (im *importer) keep(err error) {
	if im.err == nil && err != nil {
		im.err = err
	}
}

func (im *importer) begin(s event.Session) {
	if s.ID == "" {
		return
	}
	im.session = s.ID
	im.keep(im.w.BeginSession(s))
}

func (im *importer) end(stopNs int64, st event.SessionStats) {
	if im.session == "" {
		return
	}
	im.keep(im.w.EndSession(im.session, stopNs, st))
	im.session = ""
}

func (im *importer) frame(fr stream.Frame) error {
	switch fr.Kind {
	case stream.KindEvents:
		return im.w.Append(fr.Events)
	case stream.KindStacks:
		return im.w.PutStacks(fr.Stacks)
	case stream.KindSnapshots:
		return im.w.PutSnapshots(fr.Snapshots)
	case stream.KindProcesses:
		return im.w.PutProcessNames(fr.Processes)
	case stream.KindChains:
		return im.w.PutChains(fr.Chains)
	case stream.KindAnnotations:
		return im.w.PutAnnotations(fr.Annotations)
	case stream.KindTrailer:
		if fr.Trailer != nil {
			im.end(fr.Trailer.StopNs, fr.Trailer.Stats)
		}
	case stream.KindHeader:
		// Another session appended to the same file (a restarted trace):
		// a session still open here was cut off without its trailer.
		if fr.Header != nil {
			if im.session != "" {
				im.rec.Warnings = append(im.rec.Warnings, fmt.Sprintf("session %s was cut off before its trailer", im.session))
				im.end(0, event.SessionStats{})
			}
			im.begin(stream.Session(*fr.Header, nil))
		}
	}
	return im.err
}
