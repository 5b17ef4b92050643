package store

import (
	"errors"
	"strings"

	"github.com/ncruces/go-sqlite3"
	"ingero.dev/common/event"
)

type eventsCursor struct {
	table *eventsTable
	sc    *scanner
	eof   bool
}

func (c *eventsCursor) Filter(idxNum int, idxStr string, args ...sqlite3.Value) error {
	c.Close()
	sf := Filter{}.scan()
	sf.desc = idxNum&idxDesc != 0
	if idxStr != "" {
		for i, tok := range strings.Split(idxStr, ",") {
			if i < len(args) {
				applyConstraint(&sf, tok, args[i])
			}
		}
	}
	sf.empty = sf.empty || sf.from > sf.to
	sc, err := newScanner(c.table.conn, sf, c.table.stats)
	if err != nil {
		return err
	}
	c.sc = sc
	return c.Next()
}

// applyConstraint narrows sf by one pushed-down constraint. A value it
// cannot interpret is ignored: SQLite checks the constraint on every row
// anyway, so ignoring only costs speed.
func applyConstraint(sf *scanFilter, tok string, v sqlite3.Value) {
	switch tok {
	case tokTimeEQ, tokTimeGT, tokTimeGE, tokTimeLT, tokTimeLE:
		applyTime(sf, tok, v)
	case tokPID:
		if n, ok := exactInt(v); ok {
			if n < 0 || n > 1<<32-1 {
				sf.empty = true
				return
			}
			sf.pids = append(sf.pids, uint32(n))
		}
	case tokPIDIn:
		var pids []uint32
		ok := eachIn(v, func(x sqlite3.Value) bool {
			n, ok := exactInt(x)
			if ok && n >= 0 && n <= 1<<32-1 {
				pids = append(pids, uint32(n))
			}
			return ok
		})
		if ok {
			sf.pids = append(sf.pids, pids...)
			sf.empty = sf.empty || len(pids) == 0
		}
	case tokName:
		if k, ok := opKeyOf(v); ok {
			sf.keys = append(sf.keys, k)
		}
	case tokNameIn:
		var keys []event.Key
		ok := eachIn(v, func(x sqlite3.Value) bool {
			k, ok := opKeyOf(x)
			keys = append(keys, k)
			return ok
		})
		if ok {
			sf.keys = append(sf.keys, keys...)
		}
	case tokSource:
		if n, ok := exactInt(v); ok {
			if n < 0 || n > 255 {
				sf.empty = true
				return
			}
			sf.sources = append(sf.sources, event.Source(n))
		}
	case tokOp:
		if n, ok := exactInt(v); ok {
			if n < 0 || n > 255 {
				sf.empty = true
				return
			}
			sf.opNums = append(sf.opNums, event.Op(n))
		}
	case tokNode:
		if v.Type() == sqlite3.TEXT {
			sf.nodes = append(sf.nodes, v.Text())
		}
	case tokID:
		if v.Type() == sqlite3.TEXT && sf.id == nil {
			if id, err := ParseEventID(v.Text()); err == nil {
				sf.id = &id
			}
		}
	}
}

func applyTime(sf *scanFilter, tok string, v sqlite3.Value) {
	var lo, hi int64
	switch v.Type() {
	case sqlite3.INTEGER:
		lo, hi = v.Int64(), v.Int64()
	case sqlite3.FLOAT:
		lo, hi = clampFloat(v.Float(), false), clampFloat(v.Float(), true)
	default:
		return
	}
	switch tok {
	case tokTimeEQ:
		sf.from, sf.to = max(sf.from, lo), min(sf.to, hi)
	case tokTimeGT, tokTimeGE:
		// GT is pushed as GE: one extra instant, dropped by SQLite.
		sf.from = max(sf.from, lo)
	case tokTimeLT, tokTimeLE:
		sf.to = min(sf.to, hi)
	}
}

// exactInt returns v as an integer when it is one (1 or 1.0), so that a
// pushed-down equality means exactly what SQL means.
func exactInt(v sqlite3.Value) (int64, bool) {
	switch v.Type() {
	case sqlite3.INTEGER:
		return v.Int64(), true
	case sqlite3.FLOAT:
		f := v.Float()
		if n := int64(f); float64(n) == f {
			return n, true
		}
	}
	return 0, false
}

// opKeyOf resolves an exact op name; aliases and unknown names are not
// pushed down, since the op_name column never holds them.
func opKeyOf(v sqlite3.Value) (event.Key, bool) {
	if v.Type() != sqlite3.TEXT {
		return event.Key{}, false
	}
	oi, ok := event.OpByName(v.Text())
	if !ok || oi.Name != v.Text() {
		return event.Key{}, false
	}
	return event.Key{Source: oi.Source, Op: oi.Op}, true
}

// eachIn walks the values of an IN list handled all at once; it reports
// false when any value could not be used, so the caller drops the list.
func eachIn(v sqlite3.Value, fn func(sqlite3.Value) bool) bool {
	all := true
	x, err := v.InFirst()
	for err == nil {
		all = fn(x) && all
		x, err = v.InNext()
	}
	var ec interface{ Code() sqlite3.ErrorCode }
	return all && errors.As(err, &ec) && ec.Code() == sqliteDone
}

// sqliteDone is SQLITE_DONE, which ends an IN list walk.
const sqliteDone = 101

func (c *eventsCursor) Next() error {
	ok, err := c.sc.step()
	c.eof = !ok
	return err
}

func (c *eventsCursor) EOF() bool { return c.eof }

func (c *eventsCursor) RowID() (int64, error) { return c.sc.rowid(), nil }

func (c *eventsCursor) Column(ctx sqlite3.Context, n int) error {
	ev := c.sc.cur
	switch n {
	case colID:
		ctx.ResultText(c.sc.id().String())
	case colTimestamp:
		ctx.ResultInt64(ev.TimeNs)
	case colPID:
		ctx.ResultInt64(int64(ev.PID))
	case colTID:
		ctx.ResultInt64(int64(ev.TID))
	case colComm:
		ctx.ResultText(ev.Comm)
	case colSource:
		ctx.ResultInt64(int64(ev.Source))
	case colSourceName:
		ctx.ResultText(ev.Source.String())
	case colOp:
		ctx.ResultInt64(int64(ev.Op))
	case colOpName:
		ctx.ResultText(ev.OpName())
	case colDuration:
		ctx.ResultInt64(ev.DurNs)
	case colArg0, colArg1, colArg2, colArg3:
		ctx.ResultInt64(int64(ev.Args[n-colArg0]))
	case colReturn:
		ctx.ResultInt64(int64(ev.Ret))
	case colStack:
		ctx.ResultInt64(int64(ev.StackID))
	case colNode:
		ctx.ResultText(ev.Node)
	case colCgroup:
		ctx.ResultInt64(int64(ev.CgroupID))
	case colGPU:
		ctx.ResultInt64(int64(ev.GPU))
	case colPeerPID:
		ctx.ResultInt64(int64(ev.PeerPID))
	case colPeerComm:
		ctx.ResultText(ev.PeerComm)
	}
	return nil
}

func (c *eventsCursor) Close() error {
	if c.sc != nil {
		c.sc.close()
		c.sc = nil
	}
	return nil
}
