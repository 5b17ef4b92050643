// Package adhoc runs the ad-hoc SQL that query, mcp and the dashboard
// accept from users and agents: one read-only statement over a recording,
// bounded in rows, time and cell size.
//
// What may run is decided by the engine, not by reading the statement's
// text: store.Reader.Query prepares it on a read-only connection, refuses
// any statement SQLite does not call read-only, more than one statement,
// ATTACH/DETACH and pragmas that change settings. This package adds the
// bounds a shared service needs: a row cap with a default and a ceiling, a
// timeout that interrupts the statement mid-step (recursive CTEs that
// never end, huge cross joins), and truncation of long cells, so that one
// answer cannot flood an agent's context or a browser.
//
// Entry points: [New] with [Limits], then [Service.Run] with a [Request];
// the [Result] marshals to the JSON documented in docs/json.md.
package adhoc

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"ingero.dev/common/store"
	"ingero.dev/common/timerange"
)

// Limits bound every request of a Service.
type Limits struct {
	DefaultRows int           // row cap of a request that names none; 0: no cap
	MaxRows     int           // ceiling on any request's cap; 0: none
	Timeout     time.Duration // per statement; 0: only the caller's context
	// MaxCell is how many bytes of a TEXT or BLOB value are kept; longer
	// values are cut and marked. 0 keeps them whole.
	MaxCell int
	// MaxValue caps any string or BLOB a statement builds, results and
	// intermediate values alike (SQLite's length limit), so that one
	// statement cannot make the process allocate gigabytes; such a
	// statement fails with ErrTooBig. 0 keeps SQLite's own limit (1 GB).
	// Recorded values are far smaller than a few MiB.
	MaxValue int
}

// Request is one statement. Args bind its ? parameters.
type Request struct {
	SQL     string
	Args    []any
	MaxRows int // 0 (or less): Limits.DefaultRows; above Limits.MaxRows: that ceiling
}

// Errors a Run can wrap, for callers to word their own messages.
var (
	// ErrRefused: the statement would change the recording or reach
	// beyond it (a write, ATTACH, a pragma that sets something).
	ErrRefused = errors.New("refused: query runs read-only SQL only (SELECT, WITH, EXPLAIN, reading pragmas)")
	// ErrTimeout: the statement ran past the time allowed.
	ErrTimeout = errors.New("statement ran past its time limit")
	// ErrEmpty: no statement was given.
	ErrEmpty = errors.New("the SQL statement is empty")
	// ErrTooBig: the statement built a value over Limits.MaxValue.
	ErrTooBig = errors.New("the statement builds a value larger than allowed")
)

// Service runs requests on one recording's reader. Its methods may be
// called from many goroutines: requests take turns on the one connection.
type Service struct {
	mu  sync.Mutex
	r   *store.Reader
	lim Limits
}

// New serves r under lim. The Service never closes r.
func New(r *store.Reader, lim Limits) *Service { return &Service{r: r, lim: lim} }

// Limits returns the bounds the Service applies.
func (s *Service) Limits() Limits { return s.lim }

// RowCap is the cap Run applies to a request asking for maxRows.
func (s *Service) RowCap(maxRows int) int {
	n := maxRows
	if n <= 0 {
		n = s.lim.DefaultRows
	}
	if s.lim.MaxRows > 0 && (n == 0 || n > s.lim.MaxRows) {
		n = s.lim.MaxRows
	}
	return n
}

// Run runs one statement. Errors wrap ErrRefused, ErrTimeout, ErrEmpty, ErrTooBig,
// the context's error when the caller gave up, or describe the SQL error
// ("no such table: x").
func (s *Service) Run(ctx context.Context, req Request) (*Result, error) {
	if strings.TrimSpace(req.SQL) == "" {
		return nil, ErrEmpty
	}
	limit := s.RowCap(req.MaxRows)
	if s.lim.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, s.lim.Timeout, ErrTimeout)
		defer cancel()
	}
	s.mu.Lock()
	start := time.Now()
	res, err := s.r.QueryWith(ctx, limit, s.lim.MaxValue, req.SQL, req.Args...)
	elapsed := time.Since(start)
	s.mu.Unlock()
	if err != nil {
		return nil, s.classify(ctx, err)
	}
	out := &Result{Columns: res.Columns, Rows: res.Rows, Truncated: res.Truncated, RowCap: limit, ElapsedNs: elapsed.Nanoseconds()}
	if out.Rows == nil {
		out.Rows = [][]any{}
	}
	if s.lim.MaxCell > 0 {
		out.CutCells = cutCells(out.Rows, s.lim.MaxCell)
	}
	return out, nil
}

func (s *Service) classify(ctx context.Context, err error) error {
	switch {
	case errors.Is(context.Cause(ctx), ErrTimeout) && errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%w: stopped after %s; narrow the statement (WHERE timestamp >= …, LIMIT)", ErrTimeout, timerange.FormatDuration(s.lim.Timeout))
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return err
	case errors.Is(err, store.ErrWriteQuery), errors.Is(err, store.ErrForbiddenQuery):
		return fmt.Errorf("%w: %w", ErrRefused, err)
	case errors.Is(err, store.ErrValueTooBig):
		return fmt.Errorf("%w: over %d bytes; select less (substr, length, LIMIT)", ErrTooBig, s.lim.MaxValue)
	}
	return err
}
