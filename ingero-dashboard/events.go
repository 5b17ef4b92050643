package dashboard

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"

	"ingero.dev/common/event"
	"ingero.dev/common/ndjson"
	"ingero.dev/common/store"
)

// Bounds of /api/v1/events: a page of events by default, and a ceiling
// that keeps one request's memory (the newest limit events are held to
// be sent oldest first) near 100 MB.
const (
	defaultEventLimit = 100_000
	maxEventLimit     = 1_000_000
)

// EventsHeader carries how many events the window holds, so that a
// client that received fewer knows the limit cut them.
const EventsHeader = "X-Ingero-Window-Events"

// events answers the window's newest limit events as NDJSON lines of
// `ingero trace --json` (docs/json.md), oldest first: what export --nodes
// draws a node's timeline from. Uncached: each caller asks its own window.
func (a *api) events(w http.ResponseWriter, req *http.Request) {
	limit := defaultEventLimit
	if s := req.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxEventLimit {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("limit %q: want 1 to %d", s, maxEventLimit))
			return
		}
		limit = n
	}
	var ring []event.Event
	var seen int64
	err := a.src.read(req.Context(), func(ctx context.Context, r *store.Reader) error {
		win, err := a.window(r, req)
		if err != nil {
			return err
		}
		ring = make([]event.Event, 0, min(limit, 4096))
		return r.Scan(ctx, store.Filter{FromNs: win.FromNs, ToNs: win.ToNs}, func(_ store.EventID, ev *event.Event) error {
			if len(ring) < limit {
				ring = append(ring, *ev)
			} else {
				ring[seen%int64(limit)] = *ev
			}
			seen++
			return nil
		})
	})
	if err != nil {
		ans := errorAnswer(err)
		writeBody(w, ans.status, ans.body)
		return
	}
	// The ring's oldest event sits where the next would have gone.
	start := 0
	if seen > int64(limit) {
		start = int(seen % int64(limit))
	}
	var buf bytes.Buffer
	enc := ndjson.NewEncoder(&buf)
	for i := range ring {
		ev := ring[(start+i)%len(ring)]
		enc.Encode(&ev)
	}
	if err := enc.Flush(); err != nil {
		writeError(w, http.StatusInternalServerError, "encoding the events: "+err.Error())
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/x-ndjson")
	h.Set("Cache-Control", "no-store")
	h.Set(EventsHeader, strconv.FormatInt(seen, 10))
	w.WriteHeader(http.StatusOK)
	w.Write(buf.Bytes())
}
