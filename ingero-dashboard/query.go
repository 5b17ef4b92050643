package dashboard

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"ingero.dev/common/adhoc"
	"ingero.dev/common/store"
)

// defaultQueryLimits are the shared service's bounds unless flags change
// them: a page of rows by default, a ceiling, cells cut at 4 KiB so one
// stack or blob cannot flood a browser, and no value built over 16 MiB
// (randomblob(1e9) would otherwise take a gigabyte of the server).
var defaultQueryLimits = adhoc.Limits{DefaultRows: 1000, MaxRows: 10000, Timeout: 10 * time.Second, MaxCell: 4096, MaxValue: 16 << 20}

func (c *config) queryLimits() adhoc.Limits {
	lim := defaultQueryLimits
	lim.MaxRows, lim.Timeout = c.queryRows, c.queryTime
	lim.DefaultRows = min(lim.DefaultRows, lim.MaxRows)
	return lim
}

type queryRequest struct {
	SQL   string `json:"sql"`
	Limit int    `json:"limit"` // 0: the default row cap
	Args  []any  `json:"args"`  // values for ? parameters: numbers, strings, null
}

// query runs one read-only statement through the shared ad-hoc SQL
// service (the one query and mcp use), uncached.
func (a *api) query(w http.ResponseWriter, req *http.Request) {
	var q queryRequest
	dec := json.NewDecoder(req.Body)
	dec.UseNumber()
	if err := dec.Decode(&q); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body is over the %d-byte limit (--max-body)", tooBig.Limit))
			return
		}
		writeError(w, http.StatusBadRequest, `body: want JSON {"sql": "SELECT …", "limit": N}: `+err.Error())
		return
	}
	if q.Limit < 0 {
		writeError(w, http.StatusBadRequest, "limit: want 0 (the default) or more")
		return
	}
	args, err := sqlArgs(q.Args)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	var res *adhoc.Result
	err = a.src.read(req.Context(), func(ctx context.Context, r *store.Reader) error {
		var err error
		res, err = adhoc.New(r, a.queryLimits).Run(ctx, adhoc.Request{SQL: q.SQL, Args: args, MaxRows: q.Limit})
		return err
	})
	switch {
	case errors.Is(err, adhoc.ErrRefused):
		writeError(w, http.StatusForbidden, err.Error())
	case errors.Is(err, adhoc.ErrTimeout):
		writeError(w, http.StatusServiceUnavailable, err.Error())
	case errors.Is(err, adhoc.ErrTooBig):
		writeError(w, http.StatusUnprocessableEntity, err.Error())
	case err != nil:
		writeError(w, http.StatusBadRequest, err.Error())
	default:
		writeBody(w, http.StatusOK, encode(res))
	}
}

// sqlArgs turns JSON values into what SQLite binds.
func sqlArgs(in []any) ([]any, error) {
	out := make([]any, len(in))
	for i, v := range in {
		switch v := v.(type) {
		case json.Number:
			if n, err := v.Int64(); err == nil {
				out[i] = n
			} else if f, err := v.Float64(); err == nil {
				out[i] = f
			} else {
				return nil, fmt.Errorf("args[%d]: %v is not a number SQLite holds", i, v)
			}
		case string, nil:
			out[i] = v
		case bool:
			out[i] = map[bool]int64{false: 0, true: 1}[v]
		default:
			return nil, fmt.Errorf("args[%d]: want a number, string, boolean or null", i)
		}
	}
	return out, nil
}
