package query

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"ingero.dev/common/recording"
	"ingero.dev/common/store"
)

// runSQL runs one statement on the recording's read-only connection. The
// connection itself refuses writes, whatever the statement's text; the
// row cap and the --timeout context bound what a statement can cost.
func (c *config) runSQL(ctx context.Context, rec *recording.Recording, sql string) error {
	res, err := rec.Query(ctx, c.maxRows, sql)
	switch {
	case errors.Is(err, store.ErrWriteQuery):
		return errors.New("refused: the statement would change the recording, and query runs read-only SQL only (SELECT, WITH, EXPLAIN)")
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return err
	case err != nil:
		// The store names the operation "query", as this command is named.
		return fmt.Errorf("SQL: %s", strings.TrimPrefix(err.Error(), "query: "))
	}
	if c.json {
		return writeRowsJSON(c.stdio, res, c.maxRows)
	}
	return writeRowsTable(c.stdio.Out, res, c.maxRows)
}
