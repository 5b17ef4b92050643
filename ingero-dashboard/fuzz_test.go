package dashboard

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

var fuzzEndpoints = []string{"overview", "ops", "chains", "processes", "snapshots", "capabilities", "graph-metrics", "graph-events", "time"}

// FuzzAPIParameters sends arbitrary query strings to every GET endpoint
// and arbitrary bodies to POST /api/v1/query. A bad parameter is the
// caller's error (4xx with a JSON error naming it), never a 5xx, a panic
// or a body that is not JSON.
func FuzzAPIParameters(f *testing.F) {
	for i := range fuzzEndpoints {
		for _, q := range []string{"", "since=5m", "since=-1s", "since=106751d", "from=15:40&to=15:45", "from=@0&to=@1",
			"pid=5031", "pid=abc", "pid=-1&pid=99999999999", "limit=0", "limit=-5", "limit=1e9", "op=cudaMemcpy",
			"severity=HIGH", "severity=nope", "since=5m&from=15:40", "top=3", "bucket=0s", "bucket=1ns", "%zz"} {
			f.Add(uint8(i), q, "")
		}
	}
	for _, body := range []string{`{"sql":"SELECT count(*) FROM events"}`, `{"sql":"DELETE FROM event_chunks"}`,
		`{"sql":"SELECT 1","limit":-1}`, `{"sql":""}`, `{`, `[]`, `{"sql":"SELECT ?","args":[1]}`} {
		f.Add(uint8(0), "", body)
	}
	_, path := fixtureCopy(f)
	src, err := openSource(path)
	if err != nil {
		f.Fatal(err)
	}
	defer src.close()
	now := time.Unix(0, at(fixtureSpan+time.Second))
	mux := http.NewServeMux()
	newAPI(src, func() time.Time { return now }).routes(mux)
	f.Fuzz(func(t *testing.T, which uint8, query, body string) {
		var req *http.Request
		if body != "" {
			req = httptest.NewRequest(http.MethodPost, "/api/v1/query", strings.NewReader(body))
		} else {
			u := &url.URL{Path: "/api/v1/" + fuzzEndpoints[int(which)%len(fuzzEndpoints)], RawQuery: query}
			req = httptest.NewRequest(http.MethodGet, "/", nil)
			req.URL, req.RequestURI = u, u.RequestURI()
		}
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		var v map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
			t.Fatalf("%s %s?%s %q: %d, body not JSON: %.300s", req.Method, req.URL.Path, query, body, rec.Code, rec.Body.Bytes())
		}
		if rec.Code >= 500 {
			t.Fatalf("%s %s?%s %q: %d %.300s", req.Method, req.URL.Path, query, body, rec.Code, rec.Body.Bytes())
		}
		if rec.Code >= 400 && v["error"] == nil {
			t.Fatalf("%s %s?%s: %d without an error message: %.300s", req.Method, req.URL.Path, query, rec.Code, rec.Body.Bytes())
		}
	})
}
