package query

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"ingero.dev/common/adhoc"
	"ingero.dev/common/recording"
	"ingero.dev/common/store"
)

// runSQL runs one statement through the ad-hoc SQL service mcp and the
// dashboard share. The connection itself refuses writes, whatever the
// statement's text; the row cap and the --timeout context bound what a
// statement can cost. Cells stay whole: --json promises every value.
func (c *config) runSQL(ctx context.Context, rec *recording.Recording, sql string) error {
	r, err := rec.Store() // a stream file is loaded into a temporary database for SQL
	if err != nil {
		return err
	}
	res, err := adhoc.New(r, adhoc.Limits{}).Run(ctx, adhoc.Request{SQL: sql, MaxRows: c.maxRows})
	switch {
	case errors.Is(err, store.ErrWriteQuery):
		return errors.New("refused: the statement would change the recording, and query runs read-only SQL only (SELECT, WITH, EXPLAIN)")
	case errors.Is(err, store.ErrForbiddenQuery):
		return errors.New("refused: query reads this recording only, without ATTACH, DETACH or transactions (BEGIN, SAVEPOINT)")
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
