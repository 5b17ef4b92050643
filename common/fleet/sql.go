package fleet

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
)

// SQLResult is the merged answer of POST /api/v1/query: the node column
// first, then the statement's columns, the nodes' rows in node order.
type SQLResult struct {
	Columns   []string
	Rows      [][]any
	Truncated []string // nodes whose answer stopped at the row cap
	Nodes     int      // nodes that answered
}

type queryBody struct {
	SQL   string `json:"sql"`
	Limit int    `json:"limit,omitempty"`
}

type queryAnswer struct {
	Columns   []string `json:"columns"`
	Rows      [][]any  `json:"rows"`
	Truncated bool     `json:"truncated"`
}

// Query runs one statement on every node. Warnings name the nodes that
// failed or answered with other columns; all failing is the error.
func Query(ctx context.Context, c *Client, sql string, limit int) (*SQLResult, []string, error) {
	res := Each(ctx, c, func(ctx context.Context, n Node) (queryAnswer, error) {
		var a queryAnswer
		err := c.postNumbers(ctx, n, "/api/v1/query", queryBody{SQL: sql, Limit: limit}, &a)
		return a, err
	})
	out := &SQLResult{}
	var warns []string
	var errs []error
	for _, r := range res {
		if r.Err != nil {
			warns = append(warns, fmt.Sprintf("%s: %v", r.Node.Name, r.Err))
			errs = append(errs, fmt.Errorf("%s: %w", r.Node.Name, r.Err))
			continue
		}
		cols := append([]string{"node"}, r.Value.Columns...)
		if out.Columns == nil {
			out.Columns = cols
		} else if !slices.Equal(out.Columns, cols) {
			warns = append(warns, fmt.Sprintf("%s: left out, its columns %v differ from %v (a different ingero version?)", r.Node.Name, r.Value.Columns, out.Columns[1:]))
			continue
		}
		out.Nodes++
		for _, row := range r.Value.Rows {
			out.Rows = append(out.Rows, append([]any{r.Node.Name}, row...))
		}
		if r.Value.Truncated {
			out.Truncated = append(out.Truncated, r.Node.Name)
		}
	}
	if out.Nodes == 0 {
		if len(errs) == 0 {
			return nil, nil, fmt.Errorf("no node answered")
		}
		return nil, nil, allFailed(errs)
	}
	return out, warns, nil
}

// postNumbers is Post keeping integers exact: SQLite's 64-bit values
// (timestamps in ns) do not survive float64.
func (c *Client) postNumbers(ctx context.Context, n Node, path string, body any, v *queryAnswer) error {
	var raw struct {
		Columns   []string            `json:"columns"`
		Rows      [][]json.RawMessage `json:"rows"`
		Truncated bool                `json:"truncated"`
	}
	if err := c.Post(ctx, n, path, body, &raw); err != nil {
		return err
	}
	v.Columns, v.Truncated = raw.Columns, raw.Truncated
	v.Rows = make([][]any, len(raw.Rows))
	for i, row := range raw.Rows {
		v.Rows[i] = make([]any, len(row))
		for j, cell := range row {
			val, err := decodeCell(cell)
			if err != nil {
				return fmt.Errorf("row %d: %w", i, err)
			}
			v.Rows[i][j] = val
		}
	}
	return nil
}

// decodeCell turns a JSON cell into what the local SQL path yields:
// int64, float64, string or nil.
func decodeCell(cell json.RawMessage) (any, error) {
	var x any
	dec := json.NewDecoder(bytes.NewReader(cell))
	dec.UseNumber()
	if err := dec.Decode(&x); err != nil {
		return nil, err
	}
	if num, ok := x.(json.Number); ok {
		if i, err := num.Int64(); err == nil {
			return i, nil
		}
		return num.Float64()
	}
	return x, nil
}

// allFailed is the error when no node answered: each node's reason, so
// the operator sees whether it is one cause or many.
func allFailed(errs []error) error {
	msg := fmt.Sprintf("none of the %d nodes answered", len(errs))
	for _, e := range errs {
		msg += "; " + e.Error()
	}
	return fmt.Errorf("%s", msg)
}
