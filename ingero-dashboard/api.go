package dashboard

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"ingero.dev/common/adhoc"
	"ingero.dev/common/store"
)

// api answers /api/v1/*. Every GET answer is computed at most once per
// cacheTTL for all clients together (see cache).
type api struct {
	src     *source
	now     func() time.Time
	answers *cache[answer]
	stats   *cache[statsResult]
	// started is when the server started, for the overview.
	started     time.Time
	queryLimits adhoc.Limits
}

const (
	// cacheTTL is below the page's 2 s refresh, so every refresh sees
	// new data while concurrent pages share the work.
	cacheTTL = time.Second
	// computeTimeout bounds one answer; a recording too large to
	// summarise in it gets an error saying so rather than a hung page.
	computeTimeout = 20 * time.Second
)

func newAPI(src *source, now func() time.Time) *api {
	return &api{src: src, now: now, started: now(), queryLimits: defaultQueryLimits,
		answers: newCache[answer](cacheTTL, now), stats: newCache[statsResult](cacheTTL, now)}
}

// getter computes one GET answer from a reader.
type getter func(ctx context.Context, r *store.Reader, req *http.Request) (any, error)

func (a *api) routes(mux *http.ServeMux) {
	gets := map[string]getter{
		"overview":      a.overview,
		"ops":           a.ops,
		"chains":        a.chains,
		"processes":     a.processes,
		"snapshots":     a.snapshots,
		"capabilities":  a.capabilities,
		"graph-metrics": a.graphMetrics,
		"graph-events":  a.graphEvents,
	}
	allow := map[string]string{"/api/v1/time": http.MethodGet, "/api/v1/query": http.MethodPost, "/api/v1/events": http.MethodGet}
	for name, g := range gets {
		mux.Handle("GET /api/v1/"+name, a.cached(g))
		allow["/api/v1/"+name] = http.MethodGet
	}
	mux.HandleFunc("GET /api/v1/time", a.time)
	mux.HandleFunc("POST /api/v1/query", a.query)
	mux.HandleFunc("GET /api/v1/events", a.events)
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		if m, ok := allow[r.URL.Path]; ok {
			w.Header().Set("Allow", m)
			writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("%s takes %s, not %s", r.URL.Path, m, r.Method))
			return
		}
		writeError(w, http.StatusNotFound, fmt.Sprintf("no endpoint %s %s: docs/api.md lists them", r.Method, r.URL.Path))
	})
}

// cached serves g through the shared cache, keyed by path and query.
func (a *api) cached(g getter) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		key := req.URL.Path + "?" + req.URL.Query().Encode()
		ans := a.answers.get(key, func() answer {
			// Detached from the first caller: the others waiting on this
			// answer must not fail because that one went away.
			ctx, cancel := context.WithTimeout(context.Background(), computeTimeout)
			defer cancel()
			var v any
			err := a.src.read(ctx, func(ctx context.Context, r *store.Reader) error {
				var err error
				v, err = g(ctx, r, req)
				return err
			})
			if err != nil {
				return errorAnswer(err)
			}
			return answer{http.StatusOK, encode(v)}
		})
		if ans.status == 0 { // the computation panicked
			writeError(w, http.StatusInternalServerError, "computing this answer failed; see the server's log")
			return
		}
		writeBody(w, ans.status, ans.body)
	})
}

// apiError is an error with the HTTP status it answers with.
type apiError struct {
	status int
	msg    string
}

func (e *apiError) Error() string { return e.msg }

func badRequest(format string, args ...any) error {
	return &apiError{status: http.StatusBadRequest, msg: fmt.Sprintf(format, args...)}
}

// answer is an encoded response.
type answer struct {
	status int
	body   []byte
}

func errorAnswer(err error) answer {
	var ae *apiError
	switch {
	case errors.As(err, &ae):
		return answer{ae.status, encode(errorJSON{Error: ae.msg})}
	case errors.Is(err, context.DeadlineExceeded):
		return answer{http.StatusServiceUnavailable, encode(errorJSON{Error: fmt.Sprintf("gave up after %s: the window holds too much to summarise; pick a shorter one", computeTimeout)})}
	}
	return answer{http.StatusInternalServerError, encode(errorJSON{Error: err.Error()})}
}

type errorJSON struct {
	Error string `json:"error"`
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeBody(w, status, encode(errorJSON{Error: msg}))
}

func writeBody(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(body)
}

func encode(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Every answer is built from plain values; failing here is a bug,
		// reported rather than hidden.
		buf.Reset()
		enc.Encode(errorJSON{Error: "encoding the answer: " + err.Error()})
	}
	return buf.Bytes()
}

type timeJSON struct {
	TimestampNs int64  `json:"timestamp_ns"`
	Timestamp   string `json:"timestamp"`
}

// time answers the server's clock, uncached: fleet clients estimate skew
// from it.
func (a *api) time(w http.ResponseWriter, _ *http.Request) {
	now := a.now().UnixNano()
	writeBody(w, http.StatusOK, encode(timeJSON{TimestampNs: now, Timestamp: stamp(now)}))
}
