// Package emit writes annotations to a running `ingero trace` over its
// Unix socket: instants (a training step began) and spans (a request was
// served). Each line carries the time it was sent, which trace keeps only
// within a bound of when it arrived, and trace stamps the sender's PID,
// UID and GID as the kernel reports them, so a writer labels only what it
// says, never who it is. docs/annotations.md is the
// contract; this package, python/ingero_annotate.py and `ingero annotate`
// speak it.
package emit

import "time"

// DefaultSocket is where trace listens unless told otherwise.
const DefaultSocket = "/run/ingero/annotate.sock"

// Kinds of message.
const (
	KindPoint = "point" // an instant: the labels hold until the next one
	KindBegin = "begin" // a span of request_id starts
	KindEnd   = "end"   // the span of request_id ends
)

// Message is one line of the protocol, JSON-encoded and ended by "\n".
type Message struct {
	Kind      string            `json:"kind,omitempty"` // "" is a point
	RequestID string            `json:"request_id,omitempty"`
	Labels    map[string]string `json:"labels,omitempty"`
	// PID is the process whose events the annotation labels: nil for the
	// sender itself, 0 for every traced process. Trace accepts another
	// PID only from root or from the owner of that process.
	PID *uint32 `json:"pid,omitempty"`
	// TimeNs is when the line was sent: CLOCK_REALTIME in Unix
	// nanoseconds, the clock of event timestamps; 0 lets trace use the
	// arrival. Trace keeps it only when it is not after the arrival, not
	// more than MaxBackdate before it and not before the connection's
	// previous line (docs/annotations.md), so that a reader that wakes
	// late does not squeeze a span's begin and end together.
	TimeNs int64 `json:"time_ns,omitempty"`
}

// Limits trace enforces on each line; a line beyond them is dropped and
// counted.
const (
	MaxLine       = 4096 // bytes, newline excluded
	MaxLabels     = 32
	MaxKeyBytes   = 64
	MaxValueBytes = 1024
)

// MaxBackdate is how far before its arrival a line's own time_ns may lie.
// A writer's time is worth taking because trace's reader may wake late
// on a loaded host and read a span's begin and end in one batch; on one
// host the writer's CLOCK_REALTIME and trace's are the same clock, so a
// true time is never after arrival and lags it only by the reader's
// scheduling delay: a few to tens of milliseconds under CFS even with
// every core busy. A quarter second is ten times that, and still keeps
// what a writer can claim to a quarter second before it spoke: it can
// never label events further back than that.
const MaxBackdate = 250 * time.Millisecond
