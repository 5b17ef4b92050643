package trace

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sync"
	"syscall"
	"time"

	"ingero.dev/common/annotate/listen"
	"ingero.dev/common/event"
)

// status writes trace's state as NDJSON lines to --status-fd, for programs
// that run trace (the demo, test harnesses, supervisors) and must not
// parse its human output, which may change. docs/cli.md lists the lines;
// fields are only ever added.
type status struct {
	mu sync.Mutex
	w  io.Writer // nil: --status-fd not given
}

// openStatus opens fd for writing; 0 turns the channel off.
func openStatus(fd int) (*status, error) {
	if fd == 0 {
		return &status{}, nil
	}
	// A duplicate, so that closing it (or its finalizer) leaves the
	// caller's descriptor alone, stdout and stderr included.
	dup, err := syscall.Dup(fd)
	if err != nil {
		return nil, fmt.Errorf("--status-fd %d: not an open file descriptor (%v); open one for trace, e.g. 3>status.ndjson", fd, err)
	}
	syscall.CloseOnExec(dup)
	return &status{w: os.NewFile(uintptr(dup), "status-fd")}, nil
}

// close releases the duplicate descriptor.
func (s *status) close() {
	if f, ok := s.w.(*os.File); ok {
		s.mu.Lock()
		f.Close()
		s.w = nil
		s.mu.Unlock()
	}
}

// statusLine is every status line: status and time always, the rest as
// the status has them.
type statusLine struct {
	Status      string  `json:"status"` // attached, pid, library, stats, stopped
	Time        string  `json:"time"`
	Scope       string  `json:"scope,omitempty"`    // attached
	Database    string  `json:"database,omitempty"` // attached, stopped
	Stream      string  `json:"stream,omitempty"`   // attached, stopped
	PID         uint32  `json:"pid,omitempty"`      // pid
	Comm        string  `json:"comm,omitempty"`     // pid
	CUDA        *bool   `json:"cuda,omitempty"`     // pid: its CUDA calls are probed
	Durations   *bool   `json:"durations,omitempty"`
	Path        string  `json:"path,omitempty"` // library
	Events      *uint64 `json:"events,omitempty"`
	KernelDrops *uint64 `json:"kernel_drops,omitempty"`
	UserDrops   *uint64 `json:"user_drops,omitempty"`
	SampledOut  *uint64 `json:"sampled_out,omitempty"`
	MissedIO    *uint64 `json:"missed_io,omitempty"` // stopped
	// stats, stopped: with an annotation socket
	Annotations        *uint64           `json:"annotations,omitempty"`
	AnnotationsDropped map[string]uint64 `json:"annotations_dropped,omitempty"`
	AnnotationsClamped uint64            `json:"annotations_time_clamped,omitempty"`
}

// withAnnotations adds the socket's counters; every drop reason is
// listed, so a reader sees a storm as it happens.
func (l statusLine) withAnnotations(a *listen.Stats) statusLine {
	if a != nil {
		l.Annotations = &a.Recorded
		l.AnnotationsDropped = a.Dropped
		l.AnnotationsClamped = a.TimeClamped
	}
	return l
}

func (s *status) emit(l statusLine) {
	if s == nil || s.w == nil {
		return
	}
	l.Time = time.Now().UTC().Format("2006-01-02T15:04:05.000000000Z")
	b, err := json.Marshal(l)
	if err != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// A reader that went away must not stop the tracing: the write error
	// is dropped.
	s.w.Write(append(b, '\n'))
}

func (s *status) attached(scope, db, stream string) {
	s.emit(statusLine{Status: "attached", Scope: scope, Database: db, Stream: stream})
}

func (s *status) pid(pid uint32, comm string, cuda, durations bool) {
	s.emit(statusLine{Status: "pid", PID: pid, Comm: comm, CUDA: &cuda, Durations: &durations})
}

func (s *status) library(path string) { s.emit(statusLine{Status: "library", Path: path}) }

func (s *status) stats(st event.SessionStats, ann *listen.Stats) {
	s.emit(statusLine{Status: "stats", Events: &st.Events, KernelDrops: &st.KernelDrops, UserDrops: &st.UserDrops, SampledOut: &st.SampledOut}.withAnnotations(ann))
}

func (s *status) stopped(st event.SessionStats, missedIO uint64, db, stream string, ann *listen.Stats) {
	s.emit(statusLine{Status: "stopped", Database: db, Stream: stream,
		Events: &st.Events, KernelDrops: &st.KernelDrops, UserDrops: &st.UserDrops, SampledOut: &st.SampledOut, MissedIO: &missedIO}.withAnnotations(ann))
}
