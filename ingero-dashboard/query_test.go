package dashboard

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func post(t *testing.T, ts *testServer, body string) (int, []byte) {
	t.Helper()
	status, _, b := ts.request(t, http.MethodPost, "/api/v1/query", strings.NewReader(body), map[string]string{"Content-Type": "application/json"})
	return status, b
}

func TestQuery(t *testing.T) {
	f, _, ts := served(t)
	status, body := post(t, ts, `{"sql": "SELECT op_name, count(*) AS n FROM events WHERE pid = ? GROUP BY 1 ORDER BY 2 DESC", "args": [4821]}`)
	if status != http.StatusOK {
		t.Fatalf("%d %s", status, body)
	}
	var res struct {
		Columns   []string
		Rows      [][]any
		Truncated bool
		RowCap    int `json:"row_cap"`
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.UseNumber()
	must(t, dec.Decode(&res))
	if strings.Join(res.Columns, ",") != "op_name,n" || len(res.Rows) != 4 || res.RowCap != 1000 {
		t.Fatalf("result %+v", res)
	}
	if res.Rows[0][0] != "cudaLaunchKernel" || res.Rows[0][1].(json.Number).String() != "144000" || f.calls("cudaLaunchKernel", trainPID) != 144000 {
		t.Errorf("first row %v, want cudaLaunchKernel 144000", res.Rows[0])
	}
	status, body = post(t, ts, `{"sql": "SELECT ts FROM snapshots", "limit": 5}`)
	must(t, json.Unmarshal(body, &res))
	if status != http.StatusOK || len(res.Rows) != 5 || !res.Truncated {
		t.Errorf("limit 5: %d, %d rows, truncated=%v", status, len(res.Rows), res.Truncated)
	}
}

func TestQueryRefusals(t *testing.T) {
	_, _, ts := served(t)
	for _, tc := range []struct {
		body   string
		status int
		want   string
	}{
		{`{"sql": "DELETE FROM chains"}`, http.StatusForbidden, "read-only"},
		{`{"sql": "ATTACH DATABASE '/tmp/x.db' AS x"}`, http.StatusForbidden, "read-only"},
		{`{"sql": "PRAGMA journal_mode = DELETE"}`, http.StatusForbidden, "read-only"},
		{`{"sql": ""}`, http.StatusBadRequest, "empty"},
		{`{"sql": "SELEC 1"}`, http.StatusBadRequest, "syntax"},
		{`{"sql": "SELECT 1; SELECT 2"}`, http.StatusBadRequest, "more than one"},
		{`not json`, http.StatusBadRequest, `{"sql"`},
		{`{"sql": "SELECT 1", "limit": -1}`, http.StatusBadRequest, "limit"},
		{`{"sql": "SELECT ?", "args": [{"a": 1}]}`, http.StatusBadRequest, "args[0]"},
		{`{"sql": "SELECT length(randomblob(1000000000))"}`, http.StatusUnprocessableEntity, "larger than allowed"},
	} {
		status, body := post(t, ts, tc.body)
		if msg := errorOf(t, body); status != tc.status || !strings.Contains(msg, tc.want) {
			t.Errorf("%s: %d %q, want %d with %q", tc.body, status, msg, tc.status, tc.want)
		}
	}
}

func TestQueryTimeout(t *testing.T) {
	ts := startServer(t, "-d", fixtureDB(t), "--query-timeout", "200ms")
	status, body := post(t, ts, `{"sql": "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"}`)
	if msg := errorOf(t, body); status != http.StatusServiceUnavailable || !strings.Contains(msg, "time limit") {
		t.Errorf("endless statement: %d %q, want 503 saying it ran out of time", status, msg)
	}
}
