package trace

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"

	"ingero.dev/common/dbpath"
	"ingero.dev/common/event"
	"ingero.dev/common/ndjson"
	"ingero.dev/common/store"
	"ingero.dev/common/stream"
)

// outputs are where recorded data goes: the database, the stream and NDJSON
// on stdout, each optional. The first write error of each is kept and
// reported; the others keep recording.
type outputs struct {
	db      *store.Writer
	dbPath  string
	streamW *stream.Writer
	streamF io.WriteCloser
	json    *ndjson.Encoder
	errs    []error
	failed  map[string]bool
	// warn, when set, hears at once of an output that stopped, so the
	// user need not wait for the exit to learn that recording ended.
	warn io.Writer
	// paths names the file behind each output, for telling a full disk.
	paths map[string]string
}

func (o *outputs) open(c *config, stdout io.Writer, sess event.Session) error {
	o.failed = map[string]bool{}
	o.paths = map[string]string{"stream": c.stream}
	// A recording holds process names and command lines: no one but its
	// owner and group reads it. SQLite creates the -wal and -shm itself
	// with mode 0666, so only the umask reaches them.
	syscall.Umask(0o027)
	if c.record {
		path, err := dbpath.Resolve(c.db)
		if err != nil {
			return err
		}
		if err := dbpath.EnsureDir(path); err != nil {
			return err
		}
		w, err := store.OpenWriter(path, store.Options{})
		if err != nil {
			return fmt.Errorf("opening database: %w", err)
		}
		o.db, o.dbPath = w, path
		o.paths["database"] = path
		if err := w.BeginSession(sess); err != nil {
			return fmt.Errorf("recording session: %w", err)
		}
		// Root writes it, the user who ran sudo reads it.
		if err := dbpath.ChownToSudoUser(path); err != nil {
			return err
		}
	}
	if c.stream != "" {
		var f io.WriteCloser = nopCloser{stdout}
		if c.stream != "-" {
			sf, err := os.OpenFile(c.stream, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
			if err != nil {
				return fmt.Errorf("opening stream file: %w", err)
			}
			f = sf
			if err := dbpath.ChownToSudoUser(c.stream); err != nil {
				return err
			}
		}
		// Each frame is one Write; a buffer would only split it.
		w, err := stream.NewWriter(f, stream.HeaderFromSession(sess))
		if err != nil {
			f.Close()
			return fmt.Errorf("starting stream: %w", err)
		}
		o.streamW, o.streamF = w, f
	}
	if c.json {
		o.json = ndjson.NewEncoder(stdout)
	}
	return nil
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

func (o *outputs) fail(name string, err error) {
	if err == nil || o.failed[name] {
		return
	}
	o.failed[name] = true
	hint := ""
	if path := o.paths[name]; path != "" && store.DiskFull(err, path) {
		err = fmt.Errorf("no space left on device for %s: %w", path, err)
		hint = "; free space on that disk, or bound the database with --max-db"
	}
	o.errs = append(o.errs, fmt.Errorf("%s: %w", name, err))
	if o.warn != nil {
		fmt.Fprintf(o.warn, "ingero trace: %s output stopped: %v; tracing and the live view go on%s\n", name, err, hint)
	}
}

// watchDB stops recording to the database once a commit failed for a
// full disk: the Writer would retry it forever, holding the events in
// memory, and nothing already committed is at risk from stopping.
func (o *outputs) watchDB() {
	if o.db == nil || o.failed["database"] {
		return
	}
	if err := o.db.Err(); store.DiskFull(err, o.dbPath) {
		o.fail("database", err)
	}
}

func (o *outputs) events(batch []event.Event) {
	if o.db != nil && !o.failed["database"] {
		o.fail("database", o.db.Append(batch))
	}
	if o.streamW != nil && !o.failed["stream"] {
		o.fail("stream", o.streamW.WriteEvents(batch))
	}
	if o.json != nil && !o.failed["json"] {
		o.fail("json", o.json.EncodeBatch(batch))
	}
}

func (o *outputs) stacks(s []event.Stack) {
	if len(s) == 0 {
		return
	}
	if o.db != nil && !o.failed["database"] {
		o.fail("database", o.db.PutStacks(s))
	}
	if o.streamW != nil && !o.failed["stream"] {
		o.fail("stream", o.streamW.WriteStacks(s))
	}
}

func (o *outputs) snapshots(s []event.Snapshot) {
	if o.db != nil && !o.failed["database"] {
		o.fail("database", o.db.PutSnapshots(s))
	}
	if o.streamW != nil && !o.failed["stream"] {
		o.fail("stream", o.streamW.WriteSnapshots(s))
	}
}

func (o *outputs) processes(p []event.ProcessName) {
	if len(p) == 0 {
		return
	}
	if o.db != nil && !o.failed["database"] {
		o.fail("database", o.db.PutProcessNames(p))
	}
	if o.streamW != nil && !o.failed["stream"] {
		o.fail("stream", o.streamW.WriteProcessNames(p))
	}
}

// chains stores what the live causal analysis found; a chain keeps its ID
// across analyses, so the table holds its latest evidence.
func (o *outputs) chains(c []event.Chain) {
	if len(c) == 0 {
		return
	}
	if o.db != nil && !o.failed["database"] {
		o.fail("database", o.db.PutChains(c))
	}
	if o.streamW != nil && !o.failed["stream"] {
		o.fail("stream", o.streamW.WriteChains(c))
	}
}

// annotations records what writers sent over the socket.
func (o *outputs) annotations(a []event.Annotation) {
	if len(a) == 0 {
		return
	}
	if o.db != nil && !o.failed["database"] {
		o.fail("database", o.db.PutAnnotations(a))
	}
	if o.streamW != nil && !o.failed["stream"] {
		o.fail("stream", o.streamW.WriteAnnotations(a))
	}
}

func (o *outputs) progress(sessID string, st event.SessionStats) {
	if o.db != nil && !o.failed["database"] {
		o.fail("database", o.db.UpdateSessionStats(sessID, st))
	}
}

// close ends the session everywhere and returns every error met on the way.
func (o *outputs) close(sessID string, stopNs int64, st event.SessionStats) error {
	if o.db != nil {
		o.fail("database", o.db.EndSession(sessID, stopNs, st))
		o.fail("database", o.db.Close())
		o.fail("database", dbpath.ChownToSudoUser(o.dbPath))
	}
	if o.streamW != nil {
		o.fail("stream", o.streamW.Close(st, stopNs))
		o.fail("stream", o.streamF.Close())
	}
	if o.json != nil {
		o.fail("json", o.json.Flush())
	}
	return errors.Join(o.errs...)
}
