package store

import (
	"errors"
	"fmt"
	"math"

	"github.com/ncruces/go-sqlite3"
)

// bindAll binds args to stmt's parameters in order. Unsigned values are
// stored as the int64 with the same bits, as docs/schema.md states.
func bindAll(stmt *sqlite3.Stmt, args ...any) error {
	for i, a := range args {
		if err := bindOne(stmt, i+1, a); err != nil {
			return err
		}
	}
	return nil
}

func bindOne(stmt *sqlite3.Stmt, i int, a any) error {
	switch v := a.(type) {
	case nil:
		return stmt.BindNull(i)
	case int:
		return stmt.BindInt64(i, int64(v))
	case int32:
		return stmt.BindInt64(i, int64(v))
	case int64:
		return stmt.BindInt64(i, v)
	case uint8:
		return stmt.BindInt64(i, int64(v))
	case uint32:
		return stmt.BindInt64(i, int64(v))
	case uint64:
		return stmt.BindInt64(i, int64(v))
	case float64:
		return stmt.BindFloat(i, v)
	case bool:
		return stmt.BindBool(i, v)
	case string:
		return stmt.BindText(i, v)
	case []byte:
		return stmt.BindBlob(i, v)
	}
	return fmt.Errorf("binding parameter %d: unsupported type %T", i, a)
}

// execWith binds args, runs stmt to completion and resets it for reuse.
func execWith(stmt *sqlite3.Stmt, args ...any) error {
	if err := bindAll(stmt, args...); err != nil {
		return err
	}
	err := stmt.Exec()
	if rerr := stmt.Reset(); err == nil {
		err = rerr
	}
	return err
}

// queryInt runs a statement that yields one integer, such as a PRAGMA.
func queryInt(c *sqlite3.Conn, sql string) (int64, error) {
	stmt, _, err := c.Prepare(sql)
	if err != nil {
		return 0, err
	}
	defer stmt.Close()
	var v int64
	if stmt.Step() {
		v = stmt.ColumnInt64(0)
	}
	return v, stmt.Err()
}

// clampFloat turns an SQL float bound into an int64 bound no tighter than
// the float, so pushed-down filters only ever widen.
func clampFloat(f float64, roundUp bool) int64 {
	if math.IsNaN(f) {
		return 0
	}
	if roundUp {
		f = math.Ceil(f)
	} else {
		f = math.Floor(f)
	}
	if f >= math.MaxInt64 {
		return maxTime
	}
	if f <= math.MinInt64 {
		return minTime
	}
	return int64(f)
}

// inTx runs fn inside BEGIN IMMEDIATE … COMMIT, rolling back when fn or the
// commit fails. Unlike sqlite3.Txn.End it never panics on a failed
// rollback: the caller gets both errors.
func inTx(c *sqlite3.Conn, fn func() error) error {
	if err := c.Exec(`BEGIN IMMEDIATE`); err != nil {
		return fmt.Errorf("beginning transaction: %w", err)
	}
	err := fn()
	if err == nil {
		if err = c.Exec(`COMMIT`); err == nil {
			return nil
		}
		err = fmt.Errorf("committing: %w", err)
	}
	if !c.GetAutocommit() {
		if rerr := c.Exec(`ROLLBACK`); rerr != nil {
			err = errors.Join(err, fmt.Errorf("rolling back: %w", rerr))
		}
	}
	return err
}
