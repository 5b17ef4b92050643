package report

import (
	"encoding/json"
	"io"
	"time"
)

// Stamp writes a Unix-ns time as the shapes do:
// 2026-05-24T15:41:20.000123456Z.
func Stamp(ns int64) string {
	return time.Unix(0, ns).UTC().Format("2006-01-02T15:04:05.000000000Z")
}

// Window is the span a shape describes.
type Window struct {
	From *string `json:"from"` // null when the window has no start
	To   string  `json:"to"`
}

// NewWindow describes [fromNs, toNs]; fromNs 0 leaves the start open.
func NewWindow(fromNs, toNs int64) Window {
	w := Window{To: Stamp(toNs)}
	if fromNs != 0 {
		s := Stamp(fromNs)
		w.From = &s
	}
	return w
}

// WriteJSON writes v indented, with <, > and & as they are, the way every
// command prints these shapes.
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
