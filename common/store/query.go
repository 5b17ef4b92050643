package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ncruces/go-sqlite3"
)

// ErrWriteQuery is wrapped when an ad-hoc query would change a database.
var ErrWriteQuery = errors.New("query would change the database, which is opened read-only")

// ErrValueTooBig is wrapped when a statement builds a string or BLOB
// larger than QueryWith's maxValue.
var ErrValueTooBig = errors.New("query builds a value larger than allowed")

// Result is the outcome of an ad-hoc query.
type Result struct {
	Columns []string
	// Rows hold int64, float64, string, []byte or nil per column.
	Rows [][]any
	// Truncated is true when the query had more rows than maxRows.
	Truncated bool
}

// Query runs one ad-hoc read-only SQL statement, such as
// "SELECT op_name, count(*) FROM events WHERE timestamp > ? GROUP BY 1",
// and returns at most maxRows rows (0 means no limit). The events virtual
// table and every schema table are visible. A statement that writes fails:
// it is refused before running (VACUUM INTO and the like would write other
// files), and the engine refuses any write on the read-only connection.
func (r *Reader) Query(ctx context.Context, maxRows int, sql string, args ...any) (*Result, error) {
	return r.QueryWith(ctx, maxRows, 0, sql, args...)
}

// QueryWith is Query with a cap on the size of any string or BLOB the
// statement builds (SQLite's length limit), so that one statement such as
// "SELECT randomblob(1e9)" cannot make the process allocate gigabytes;
// 0 keeps SQLite's own limit (1 GB). Going over it wraps ErrValueTooBig.
func (r *Reader) QueryWith(ctx context.Context, maxRows, maxValue int, sql string, args ...any) (*Result, error) {
	var res *Result
	err := r.withCtx(ctx, func() error {
		if maxValue > 0 {
			old := r.conn.Limit(sqlite3.LIMIT_LENGTH, maxValue)
			defer r.conn.Limit(sqlite3.LIMIT_LENGTH, old)
		}
		var err error
		res, err = r.query(maxRows, sql, args)
		if errors.Is(err, sqlite3.TOOBIG) {
			err = fmt.Errorf("query: %w (%d bytes): %w", ErrValueTooBig, maxValue, err)
		}
		return err
	})
	return res, err
}

func (r *Reader) query(maxRows int, sql string, args []any) (*Result, error) {
	r.denied = 0
	stmt, tail, err := r.conn.Prepare(sql)
	if errors.Is(err, sqlite3.AUTH) {
		return nil, r.deniedError(err)
	}
	if err != nil {
		return nil, fmt.Errorf("query: %w", err)
	}
	if stmt == nil {
		return nil, errors.New("query: empty statement")
	}
	defer stmt.Close()
	if strings.TrimSpace(strings.TrimLeft(tail, "; \t\r\n")) != "" {
		return nil, errors.New("query: holds more than one statement; run them one at a time")
	}
	if !stmt.ReadOnly() {
		return nil, fmt.Errorf("query: %w", ErrWriteQuery)
	}
	if len(args) > stmt.BindCount() {
		return nil, fmt.Errorf("query: %d arguments for %d parameters", len(args), stmt.BindCount())
	}
	if err := bindAll(stmt, args...); err != nil {
		return nil, fmt.Errorf("query: %w", err)
	}
	res := &Result{Columns: make([]string, stmt.ColumnCount())}
	for i := range res.Columns {
		res.Columns[i] = stmt.ColumnName(i)
	}
	for stmt.Step() {
		if maxRows > 0 && len(res.Rows) == maxRows {
			res.Truncated = true
			break
		}
		res.Rows = append(res.Rows, rowValues(stmt))
	}
	if err := stmt.Err(); err != nil {
		if errors.Is(err, sqlite3.READONLY) {
			return nil, fmt.Errorf("query: %w: %w", ErrWriteQuery, err)
		}
		return nil, r.fail("query", err)
	}
	return res, nil
}

func rowValues(stmt *sqlite3.Stmt) []any {
	row := make([]any, stmt.ColumnCount())
	for i := range row {
		switch stmt.ColumnType(i) {
		case sqlite3.INTEGER:
			row[i] = stmt.ColumnInt64(i)
		case sqlite3.FLOAT:
			row[i] = stmt.ColumnFloat(i)
		case sqlite3.TEXT:
			row[i] = stmt.ColumnText(i)
		case sqlite3.BLOB:
			row[i] = stmt.ColumnBlob(i, nil)
		default:
			row[i] = nil
		}
	}
	return row
}
