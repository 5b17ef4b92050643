package store

import (
	"fmt"

	"github.com/ncruces/go-sqlite3"
	"ingero.dev/common/event"
)

// codecZstdBatch marks a chunk whose data is zstd(batch). A new codec gets
// a new number; readers refuse numbers they do not know.
const codecZstdBatch = 1

// schemaV1 is the first public schema. docs/schema.md describes it column
// by column; keep the two in step.
const schemaV1 = `
CREATE TABLE schema_info (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE nodes (
	id       INTEGER PRIMARY KEY,
	name     TEXT NOT NULL UNIQUE,
	next_seq INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE sessions (
	id            TEXT PRIMARY KEY,
	node          TEXT NOT NULL,
	host          TEXT NOT NULL,
	start_ns      INTEGER NOT NULL,
	stop_ns       INTEGER NOT NULL DEFAULT 0,
	kernel        TEXT NOT NULL DEFAULT '',
	gpu_model     TEXT NOT NULL DEFAULT '',
	gpu_driver    TEXT NOT NULL DEFAULT '',
	cuda_version  TEXT NOT NULL DEFAULT '',
	version       TEXT NOT NULL DEFAULT '',
	flags         TEXT NOT NULL DEFAULT '{}',
	pid_filter    TEXT NOT NULL DEFAULT '[]',
	clock_mono_ns INTEGER NOT NULL DEFAULT 0,
	events        INTEGER NOT NULL DEFAULT 0,
	kernel_drops  INTEGER NOT NULL DEFAULT 0,
	user_drops    INTEGER NOT NULL DEFAULT 0,
	sampled_out   INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE event_chunks (
	id         INTEGER PRIMARY KEY,
	node_id    INTEGER NOT NULL REFERENCES nodes(id),
	session_id TEXT REFERENCES sessions(id),
	first_seq  INTEGER NOT NULL,
	n          INTEGER NOT NULL,
	t_min      INTEGER NOT NULL,
	t_max      INTEGER NOT NULL,
	codec      INTEGER NOT NULL,
	data       BLOB NOT NULL
);
-- Covering indexes, so that choosing chunks never reads the table rows,
-- whose leaf pages are mostly blob.
CREATE INDEX event_chunks_by_start ON event_chunks(t_min, t_max, node_id, first_seq, n);
CREATE INDEX event_chunks_by_end ON event_chunks(t_max, t_min, node_id, first_seq, n);
CREATE INDEX event_chunks_by_seq ON event_chunks(node_id, first_seq, n);

CREATE TABLE chunk_ops (
	chunk_id INTEGER NOT NULL REFERENCES event_chunks(id),
	pid      INTEGER NOT NULL,
	source   INTEGER NOT NULL,
	op       INTEGER NOT NULL,
	count    INTEGER NOT NULL,
	errors   INTEGER NOT NULL,
	dur_sum  INTEGER NOT NULL,
	dur_min  INTEGER NOT NULL,
	dur_max  INTEGER NOT NULL,
	t_min    INTEGER NOT NULL,
	t_max    INTEGER NOT NULL,
	PRIMARY KEY (chunk_id, pid, source, op)
) WITHOUT ROWID;
-- Secondary indexes of a WITHOUT ROWID table carry the primary key, so
-- these cover "which chunks hold pid P / op K" on their own.
CREATE INDEX chunk_ops_by_pid ON chunk_ops(pid);
CREATE INDEX chunk_ops_by_op ON chunk_ops(source, op);

CREATE TABLE process_names (
	node     TEXT NOT NULL,
	pid      INTEGER NOT NULL,
	comm     TEXT NOT NULL,
	cmdline  TEXT NOT NULL DEFAULT '',
	first_ns INTEGER NOT NULL,
	last_ns  INTEGER NOT NULL,
	PRIMARY KEY (node, pid, comm)
) WITHOUT ROWID;

CREATE TABLE stacks (
	id     INTEGER PRIMARY KEY,
	frames TEXT NOT NULL
);

CREATE TABLE chains (
	id          TEXT PRIMARY KEY,
	node        TEXT NOT NULL,
	detected_ns INTEGER NOT NULL,
	severity    INTEGER NOT NULL,
	rule        TEXT NOT NULL,
	op          TEXT NOT NULL DEFAULT '',
	pid         INTEGER NOT NULL DEFAULT 0,
	summary     TEXT NOT NULL DEFAULT '',
	root_cause  TEXT NOT NULL DEFAULT '',
	fix         TEXT NOT NULL DEFAULT '',
	timeline    TEXT NOT NULL DEFAULT '[]',
	evidence    TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX chains_by_time ON chains(detected_ns);

CREATE TABLE snapshots (
	ts           INTEGER NOT NULL,
	node         TEXT NOT NULL,
	cpu_pct      REAL NOT NULL,
	mem_pct      REAL NOT NULL,
	mem_avail_mb INTEGER NOT NULL,
	swap_used_mb INTEGER NOT NULL,
	load1        REAL NOT NULL,
	PRIMARY KEY (ts, node)
) WITHOUT ROWID;

CREATE TABLE annotations (
	id         INTEGER PRIMARY KEY,
	ts         INTEGER NOT NULL,
	pid        INTEGER NOT NULL DEFAULT 0,
	span_start INTEGER NOT NULL DEFAULT 0,
	span_end   INTEGER NOT NULL DEFAULT 0,
	labels     TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX annotations_by_time ON annotations(ts);

CREATE TABLE sources (
	id          INTEGER PRIMARY KEY,
	name        TEXT NOT NULL UNIQUE,
	layer       TEXT NOT NULL,
	description TEXT NOT NULL
);

CREATE TABLE ops (
	source      INTEGER NOT NULL,
	op          INTEGER NOT NULL,
	name        TEXT NOT NULL UNIQUE,
	class       TEXT NOT NULL,
	description TEXT NOT NULL,
	PRIMARY KEY (source, op)
) WITHOUT ROWID;

INSERT INTO schema_info(key, value) VALUES
	('time_unit', 'unix_ns'),
	('duration_unit', 'ns'),
	('event_codec', '1=zstd(batch)'),
	('event_id', '<node>:<seq>');
`

func migrateToV1(c *sqlite3.Conn) error {
	if err := c.Exec(schemaV1); err != nil {
		return fmt.Errorf("creating schema v1: %w", err)
	}
	return nil
}

// refreshLookups rewrites the sources and ops tables from this build's
// event tables, so a newer writer adds the ops it knows to an older file.
func refreshLookups(c *sqlite3.Conn) error {
	src, _, err := c.Prepare(`INSERT OR REPLACE INTO sources(id, name, layer, description) VALUES (?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("preparing sources insert: %w", err)
	}
	defer src.Close()
	for _, si := range event.Sources() {
		if err := execWith(src, int64(si.Source), si.Name, si.Layer, si.Description); err != nil {
			return fmt.Errorf("filling sources: %w", err)
		}
	}
	ops, _, err := c.Prepare(`INSERT OR REPLACE INTO ops(source, op, name, class, description) VALUES (?, ?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("preparing ops insert: %w", err)
	}
	defer ops.Close()
	for _, oi := range event.Ops() {
		if err := execWith(ops, int64(oi.Source), int64(oi.Op), oi.Name, oi.Class.String(), oi.Description); err != nil {
			return fmt.Errorf("filling ops: %w", err)
		}
	}
	return nil
}
