//go:build linux

package listen

// Reasons a line is dropped, as Stats.Dropped and trace's summary name
// them.
const (
	ReasonTooLong      = "line too long"
	ReasonMalformed    = "not a JSON message"
	ReasonKind         = "unknown kind"
	ReasonLabels       = "labels over the limits"
	ReasonRequestID    = "bad request_id"
	ReasonPID          = "pid not the sender's to label"
	ReasonSpanOpen     = "span already open"
	ReasonSpanUnknown  = "end of a span not open"
	ReasonTooManySpans = "too many open spans"
	ReasonRate         = "rate limit"
	ReasonBacklog      = "backlog full"
)
