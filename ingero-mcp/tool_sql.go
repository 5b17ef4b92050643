package mcp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"ingero.dev/common/adhoc"
)

// SQLIn is one read-only statement.
type SQLIn struct {
	Common
	Query string `json:"query" jsonschema:"one read-only SQL statement (SELECT, WITH, EXPLAIN); ? parameters are not supported"`
	Limit int    `json:"limit,omitempty" jsonschema:"row cap (default 1000, at most 10000)"`
}

// SQLOut is the statement's answer: the JSON of `ingero query --json`'s
// SQL mode as one object (docs/json.md), and a note when this server had
// to cut it.
type SQLOut struct {
	Columns   []string `json:"columns"`
	Rows      [][]any  `json:"rows"` // in column order; BLOBs as "0x…", NaN/Inf as null
	Truncated bool     `json:"truncated"`
	RowCap    int      `json:"row_cap"`
	CutCells  int      `json:"cut_cells"`
	ElapsedNs int64    `json:"elapsed_ns"`
	Note      string   `json:"note,omitempty" fence:"ours"`
}

// maxQuery bounds the statement's text.
const maxQuery = 64 << 10

// sqlLimits are run_sql's bounds.
var sqlLimits = adhoc.Limits{DefaultRows: 1000, MaxRows: 10000, Timeout: 30 * time.Second, MaxCell: 1000, MaxValue: 16 << 20}

func (s *server) runSQL(ctx context.Context, in SQLIn) (*SQLOut, error) {
	if in.Limit < 0 || in.Limit > s.sqlLimits.MaxRows {
		return nil, fmt.Errorf("limit %d: between 1 and %d (0 or absent: %d)", in.Limit, s.sqlLimits.MaxRows, s.sqlLimits.DefaultRows)
	}
	if len(in.Query) > maxQuery {
		return nil, fmt.Errorf("query of %d bytes: at most %d; a statement that long is not a question", len(in.Query), maxQuery)
	}
	if in.Since != "" {
		// A statement picks its own rows; a silent rewrite of the
		// agent's SQL would hide what ran.
		return nil, errors.New(`since does not apply to run_sql: filter in the statement, e.g. WHERE timestamp >= (SELECT max(t_max) FROM event_chunks) - 300e9`)
	}
	r, err := s.src.open()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	res, err := adhoc.New(r, s.sqlLimits).Run(ctx, adhoc.Request{SQL: in.Query, MaxRows: in.Limit})
	if err != nil {
		return nil, fmt.Errorf("run_sql: %w", err)
	}
	out := &SQLOut{Columns: res.Columns, Rows: res.Rows, Truncated: res.Truncated, RowCap: res.RowCap,
		CutCells: res.CutCells, ElapsedNs: res.ElapsedNs}
	for _, row := range out.Rows {
		for i, v := range row {
			row[i] = adhoc.JSONValue(v)
		}
	}
	fitRows(out, maxResponse)
	return out, nil
}

// fitRows drops trailing rows until the verbose answer fits in limit
// bytes, and says so: better most of the rows than none.
func fitRows(out *SQLOut, limit int) {
	size := 512 // the keys, the columns and the note, roughly
	for _, c := range out.Columns {
		size += len(c) + 8
	}
	for i, row := range out.Rows {
		b, _ := json.MarshalIndent(row, "    ", "  ")
		size += len(b) + 8
		for _, v := range row {
			if _, ok := v.(string); ok {
				size += len(fenceOpen) + len(fenceClose)
			}
		}
		if size > limit {
			out.Rows = out.Rows[:i]
			out.Truncated = true
			out.Note = fmt.Sprintf("only the first %d rows fit in the %d-byte answer cap; select fewer columns, aggregate, or add LIMIT/OFFSET", i, limit)
			return
		}
	}
}
