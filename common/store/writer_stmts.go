package store

import (
	"errors"
	"fmt"

	"github.com/ncruces/go-sqlite3"
)

// writerStmts are the statements the hot path reuses.
type writerStmts struct {
	ensureNode      *sqlite3.Stmt
	selectNode      *sqlite3.Stmt
	setNextSeq      *sqlite3.Stmt
	insertChunkStmt *sqlite3.Stmt
	insertOp        *sqlite3.Stmt
}

func prepareWriterStmts(c *sqlite3.Conn) (*writerStmts, error) {
	st := &writerStmts{}
	for _, p := range []struct {
		dst **sqlite3.Stmt
		sql string
	}{
		{&st.ensureNode, `INSERT INTO nodes(name) VALUES (?) ON CONFLICT(name) DO NOTHING`},
		{&st.selectNode, `SELECT id, next_seq FROM nodes WHERE name = ?`},
		{&st.setNextSeq, `UPDATE nodes SET next_seq = ? WHERE id = ?`},
		{&st.insertChunkStmt, `INSERT INTO event_chunks(node_id, session_id, first_seq, n, t_min, t_max, codec, data)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`},
		{&st.insertOp, `INSERT INTO chunk_ops(chunk_id, pid, source, op, count, errors, dur_sum, dur_min, dur_max, t_min, t_max)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`},
	} {
		s, _, err := c.Prepare(p.sql)
		if err != nil {
			st.close()
			return nil, fmt.Errorf("preparing %q: %w", p.sql, err)
		}
		*p.dst = s
	}
	return st, nil
}

func (st *writerStmts) close() {
	for _, s := range []*sqlite3.Stmt{st.ensureNode, st.selectNode, st.setNextSeq, st.insertChunkStmt, st.insertOp} {
		if s != nil {
			s.Close()
		}
	}
}

// nodeState reads (creating if needed) a node's id and next sequence
// number. It runs inside the commit transaction, so two writers on one
// file never hand out the same sequence numbers.
func (st *writerStmts) nodeState(name string) (*nodeState, error) {
	if err := execWith(st.ensureNode, name); err != nil {
		return nil, fmt.Errorf("registering node %q: %w", name, err)
	}
	s := st.selectNode
	defer s.Reset()
	if err := s.BindText(1, name); err != nil {
		return nil, err
	}
	if !s.Step() {
		err := s.Err()
		if err == nil {
			err = errors.New("row vanished")
		}
		return nil, fmt.Errorf("reading node %q: %w", name, err)
	}
	return &nodeState{id: s.ColumnInt64(0), nextSeq: s.ColumnInt64(1)}, nil
}

func (st *writerStmts) insertChunk(ns *nodeState, sc *sealedChunk) error {
	var session any
	if sc.session != "" {
		session = sc.session
	}
	if err := execWith(st.insertChunkStmt, ns.id, session, ns.nextSeq, sc.n, sc.tMin, sc.tMax, codecZstdBatch, sc.data); err != nil {
		return fmt.Errorf("inserting chunk: %w", err)
	}
	id := st.insertChunkStmt.Conn().LastInsertRowID()
	for i := range sc.ops {
		a := &sc.ops[i]
		if err := execWith(st.insertOp, id, a.pid, uint8(a.key.Source), uint8(a.key.Op),
			a.count, a.errors, a.durSum, a.durMin, a.durMax, a.tMin, a.tMax); err != nil {
			return fmt.Errorf("inserting chunk summary: %w", err)
		}
	}
	return nil
}
