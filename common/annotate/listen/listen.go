//go:build linux

// Package listen is the receiving end of the annotation socket that
// `ingero trace` serves (docs/annotations.md): it reads NDJSON messages
// (package emit), stamps each with its time (the writer's, when it is
// plausible, else the arrival's; see stamp) and with the sender the
// kernel reports, and queues the annotations for trace to record.
// Whatever a sender cannot be trusted with is bounded: line size, labels,
// open spans, lines per second; every line dropped is counted by reason.
package listen

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"ingero.dev/common/event"
)

// Config says where and how to listen.
type Config struct {
	Path  string
	GID   int     // group of the socket file; -1 leaves the process's own
	Node  string  // node of the annotations
	Rate  float64 // lines per second per sender (a sender is one process)
	Burst int     // lines a sender may send at once above Rate
	// MaxPending bounds the annotations queued between Drain calls.
	MaxPending int
	// Now is the clock; nil for time.Now.
	Now func() time.Time
}

// Server accepts writers until Close.
type Server struct {
	cfg Config
	ln  *net.UnixListener

	mu      sync.Mutex
	pending []event.Annotation
	stats   Stats
	conns   map[*net.UnixConn]bool
	buckets map[senderKey]*bucket
	closed  bool
	wg      sync.WaitGroup
}

// Stats counts what the socket received.
type Stats struct {
	Senders  uint64            // connections accepted
	Recorded uint64            // annotations queued for recording
	Dropped  map[string]uint64 // lines dropped, by reason
	// TimeClamped counts lines recorded whose own time_ns was not
	// plausible (after arrival, more than emit.MaxBackdate before it, or
	// before the connection's previous line) and was moved into range.
	TimeClamped uint64
}

// DroppedTotal sums the drops of every reason.
func (s Stats) DroppedTotal() uint64 {
	var n uint64
	for _, v := range s.Dropped {
		n += v
	}
	return n
}

// ErrInUse means another process is serving the socket path.
var ErrInUse = errors.New("another process is listening on it")

// Listen creates the socket (mode 0660, group cfg.GID) and starts
// accepting. A stale socket file left by a trace that died is replaced;
// one that a live process serves is not.
func Listen(cfg Config) (*Server, error) {
	s, err := bind(cfg)
	if err != nil {
		return nil, err
	}
	s.wg.Add(1)
	go s.accept()
	return s, nil
}

// bind is Listen without the accept loop.
func bind(cfg Config) (*Server, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxPending == 0 {
		cfg.MaxPending = 1 << 16
	}
	if err := os.MkdirAll(filepath.Dir(cfg.Path), 0o755); err != nil {
		return nil, fmt.Errorf("creating the annotation socket's directory: %w", err)
	}
	if c, err := net.Dial("unix", cfg.Path); err == nil {
		c.Close()
		return nil, fmt.Errorf("annotation socket %s: %w", cfg.Path, ErrInUse)
	}
	if err := os.Remove(cfg.Path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("removing stale annotation socket: %w", err)
	}
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: cfg.Path, Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("listening for annotations: %w", err)
	}
	// Until chmod, the umask decides who may connect; no writer is
	// expected that early, and none is accepted before Serve.
	if err := os.Chmod(cfg.Path, 0o660); err != nil {
		ln.Close()
		return nil, fmt.Errorf("setting the annotation socket's mode: %w", err)
	}
	if cfg.GID >= 0 {
		if err := os.Chown(cfg.Path, -1, cfg.GID); err != nil {
			ln.Close()
			return nil, fmt.Errorf("setting the annotation socket's group: %w", err)
		}
	}
	s := &Server{cfg: cfg, ln: ln, conns: map[*net.UnixConn]bool{}, buckets: map[senderKey]*bucket{},
		stats: Stats{Dropped: map[string]uint64{}}}
	return s, nil
}

func (s *Server) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.AcceptUnix()
		if err != nil {
			return // closed
		}
		s.adopt(c)
	}
}

// adopt serves c. Once the server is closing, c's reads end after what it
// already sent, as every other connection's do.
func (s *Server) adopt(c *net.UnixConn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.conns[c] = true
	s.stats.Senders++
	s.wg.Add(1)
	if s.closed {
		c.CloseRead()
	}
	go s.serve(c)
}

// Drain returns the annotations queued since the last call.
func (s *Server) Drain() []event.Annotation {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.pending
	s.pending = nil
	return out
}

// Stats returns a copy of the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.Dropped = make(map[string]uint64, len(s.stats.Dropped))
	for k, v := range s.stats.Dropped {
		st.Dropped[k] = v
	}
	return st
}

// Close stops accepting, ends every connection once the lines it already
// sent are handled (their open spans end then, and are queued) and
// removes the socket file. Drain afterwards returns the rest.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	for c := range s.conns {
		// Reads return what is buffered, then end: nothing sent before
		// Close is lost.
		c.CloseRead()
	}
	s.mu.Unlock()
	// A sender that connected, wrote and left before the accept loop ran
	// is still in the listen backlog; closing the listener would discard
	// its lines.
	s.acceptBacklog()
	err := s.ln.Close() // also removes the file
	s.wg.Wait()
	return err
}

// queue holds a for the next Drain; false when the backlog is full.
func (s *Server) queue(a event.Annotation) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.pending) >= s.cfg.MaxPending {
		s.stats.Dropped[ReasonBacklog]++
		return false
	}
	s.pending = append(s.pending, a)
	s.stats.Recorded++
	return true
}

func (s *Server) clamp() {
	s.mu.Lock()
	s.stats.TimeClamped++
	s.mu.Unlock()
}

func (s *Server) drop(reason string) {
	s.mu.Lock()
	s.stats.Dropped[reason]++
	s.mu.Unlock()
}

// Path is the socket's path.
func (s *Server) Path() string { return s.cfg.Path }
