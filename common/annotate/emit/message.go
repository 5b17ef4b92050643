// Package emit writes annotations to a running `ingero trace` over its
// Unix socket: instants (a training step began) and spans (a request was
// served). Trace stamps each with the time it arrives and with the
// sender's PID, UID and GID as the kernel reports them, so a writer
// labels only what it says, never who it is. docs/annotations.md is the
// contract; this package, python/ingero_annotate.py and `ingero annotate`
// speak it.
package emit

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
}

// Limits trace enforces on each line; a line beyond them is dropped and
// counted.
const (
	MaxLine       = 4096 // bytes, newline excluded
	MaxLabels     = 32
	MaxKeyBytes   = 64
	MaxValueBytes = 1024
)
