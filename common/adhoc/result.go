package adhoc

import (
	"encoding/hex"
	"encoding/json"
	"math"
	"strconv"
	"unicode/utf8"
)

// Result is one statement's answer.
type Result struct {
	Columns []string `json:"columns"`
	// Rows hold int64, float64, string, []byte or nil per column. In
	// JSON a row is an array in column order (so repeated column names
	// lose nothing); BLOBs are "0x…" hex strings and NaN or ±Inf null.
	Rows      [][]any `json:"rows"`
	Truncated bool    `json:"truncated"` // the statement had more rows than RowCap
	RowCap    int     `json:"row_cap"`   // 0: no cap
	// CutCells counts the values cut to Limits.MaxCell; each ends with
	// CutMarker.
	CutCells  int   `json:"cut_cells"`
	ElapsedNs int64 `json:"elapsed_ns"`
}

// CutMarker ends a value cut short, followed by its full size:
// "…[cut: 1048576 bytes]". A cut BLOB becomes a string: "0x…" hex of the
// bytes kept, then the marker.
const CutMarker = "…[cut: "

// cutCells shortens long TEXT and BLOB values in place.
func cutCells(rows [][]any, maxBytes int) int {
	n := 0
	for _, row := range rows {
		for i, v := range row {
			switch v := v.(type) {
			case string:
				if len(v) > maxBytes {
					row[i] = cutText(v, maxBytes)
					n++
				}
			case []byte:
				if len(v) > maxBytes {
					row[i] = "0x" + hex.EncodeToString(v[:maxBytes]) + marker(len(v))
					n++
				}
			}
		}
	}
	return n
}

// cutText keeps at most maxBytes of s, never splitting a UTF-8 sequence.
func cutText(s string, maxBytes int) string {
	end := maxBytes
	for back := 0; back < utf8.UTFMax-1 && end > 0 && !utf8.RuneStart(s[end]); back++ {
		end--
	}
	return s[:end] + marker(len(s))
}

func marker(size int) string { return CutMarker + strconv.Itoa(size) + " bytes]" }

// MarshalJSON writes the rows as docs/json.md describes.
func (r *Result) MarshalJSON() ([]byte, error) {
	type plain Result // without this method
	rows := make([][]any, len(r.Rows))
	for i, row := range r.Rows {
		rows[i] = make([]any, len(row))
		for j, v := range row {
			rows[i][j] = JSONValue(v)
		}
	}
	p := plain(*r)
	p.Rows = rows
	return json.Marshal(p)
}

// JSONValue maps one SQL value to what JSON can hold: BLOBs as "0x…" hex
// strings, NaN and ±Inf as null.
func JSONValue(v any) any {
	switch v := v.(type) {
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil
		}
	case []byte:
		return "0x" + hex.EncodeToString(v)
	}
	return v
}
