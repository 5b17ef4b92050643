package store

import (
	"strings"

	"github.com/ncruces/go-sqlite3"
)

// The events virtual table exposes decoded events to SQL run through
// ingero. It exists only on connections this package opens: the sqlite3
// command-line tool sees the chunk tables, not events.
const eventsTableSQL = `CREATE TABLE x(
	id TEXT, timestamp INTEGER, pid INTEGER, tid INTEGER, comm TEXT,
	source INTEGER, source_name TEXT, op INTEGER, op_name TEXT, duration_ns INTEGER,
	arg0 INTEGER, arg1 INTEGER, arg2 INTEGER, arg3 INTEGER, return_code INTEGER,
	stack_id INTEGER, node TEXT, cgroup_id INTEGER, gpu INTEGER, peer_pid INTEGER, peer_comm TEXT)`

// Column numbers of eventsTableSQL.
const (
	colID = iota
	colTimestamp
	colPID
	colTID
	colComm
	colSource
	colSourceName
	colOp
	colOpName
	colDuration
	colArg0
	colArg1
	colArg2
	colArg3
	colReturn
	colStack
	colNode
	colCgroup
	colGPU
	colPeerPID
	colPeerComm
)

func registerEventsTable(c *sqlite3.Conn, stats *scanStats) error {
	//lint:ignore SA1019 the method form needs Go 1.27 generic methods
	return sqlite3.CreateModule(c, "events", nil,
		func(db *sqlite3.Conn, _, _, _ string, _ ...string) (*eventsTable, error) {
			if err := db.DeclareVTab(eventsTableSQL); err != nil {
				return nil, err
			}
			return &eventsTable{conn: db, stats: stats}, nil
		})
}

type eventsTable struct {
	conn  *sqlite3.Conn
	stats *scanStats
}

func (t *eventsTable) Open() (sqlite3.VTabCursor, error) {
	return &eventsCursor{table: t}, nil
}

// Pushed-down constraints travel from BestIndex to Filter as tokens in
// IdxStr, one per argv value, in argv order.
const (
	tokTimeEQ = "t="
	tokTimeGT = "t>"
	tokTimeGE = "t>="
	tokTimeLT = "t<"
	tokTimeLE = "t<="
	tokPID    = "pid"
	tokPIDIn  = "pid@"
	tokName   = "name"
	tokNameIn = "name@"
	tokSource = "src"
	tokOp     = "op"
	tokNode   = "node"
	tokID     = "id"
)

const idxDesc = 1 // IdxNum bit: rows come newest first

// BestIndex hands constraints on timestamp, pid, op, op_name, source,
// node and id to the cursor, which uses them to choose chunks. SQLite
// still checks every constraint on the rows it gets (Omit stays false), so
// a pushed-down filter only has to be no narrower than the SQL one.
func (t *eventsTable) BestIndex(idx *sqlite3.IndexInfo) error {
	var toks []string
	cost, rows := 1e6, int64(1e7)
	for i, c := range idx.Constraint {
		if !c.Usable {
			continue
		}
		tok, factor := constraintToken(idx, i, c)
		if tok == "" {
			continue
		}
		toks = append(toks, tok)
		idx.ConstraintUsage[i] = sqlite3.IndexConstraintUsage{ArgvIndex: len(toks)}
		cost *= factor
		rows = max(1, int64(float64(rows)*factor))
		if tok == tokID {
			idx.IdxFlags |= sqlite3.INDEX_SCAN_UNIQUE
		}
	}
	if len(idx.OrderBy) == 1 && idx.OrderBy[0].Column == colTimestamp {
		idx.OrderByConsumed = true
		if idx.OrderBy[0].Desc {
			idx.IdxNum |= idxDesc
		}
	}
	idx.IdxStr = strings.Join(toks, ",")
	idx.EstimatedCost = cost
	idx.EstimatedRows = rows
	return nil
}

// constraintToken names a pushable constraint and how much it narrows
// the scan; "" when it cannot be pushed.
func constraintToken(idx *sqlite3.IndexInfo, i int, c sqlite3.IndexConstraint) (string, float64) {
	switch c.Column {
	case colTimestamp:
		switch c.Op {
		case sqlite3.INDEX_CONSTRAINT_EQ:
			return tokTimeEQ, 1e-4
		case sqlite3.INDEX_CONSTRAINT_GT:
			return tokTimeGT, 0.3
		case sqlite3.INDEX_CONSTRAINT_GE:
			return tokTimeGE, 0.3
		case sqlite3.INDEX_CONSTRAINT_LT:
			return tokTimeLT, 0.3
		case sqlite3.INDEX_CONSTRAINT_LE:
			return tokTimeLE, 0.3
		}
	case colPID:
		if c.Op == sqlite3.INDEX_CONSTRAINT_EQ {
			if idx.In(i, -1) && idx.In(i, 1) {
				return tokPIDIn, 0.2
			}
			return tokPID, 0.1
		}
	case colOpName:
		if c.Op == sqlite3.INDEX_CONSTRAINT_EQ && isBinary(idx, i) {
			if idx.In(i, -1) && idx.In(i, 1) {
				return tokNameIn, 0.2
			}
			return tokName, 0.1
		}
	case colSource, colOp, colNode, colID:
		if c.Op != sqlite3.INDEX_CONSTRAINT_EQ {
			return "", 0
		}
		switch c.Column {
		case colSource:
			return tokSource, 0.3
		case colOp:
			return tokOp, 0.3
		case colNode:
			if isBinary(idx, i) {
				return tokNode, 0.5
			}
		case colID:
			if isBinary(idx, i) {
				return tokID, 1e-7
			}
		}
	}
	return "", 0
}

// isBinary says whether a text constraint compares bytes: under NOCASE,
// say, exact-match pushdown would drop rows that SQL keeps.
func isBinary(idx *sqlite3.IndexInfo, i int) bool {
	return strings.EqualFold(idx.Collation(i), "BINARY")
}
