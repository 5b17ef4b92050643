package store

import (
	"fmt"

	"github.com/ncruces/go-sqlite3"
)

// gpuSamplesVersion is the schema version that added gpu_samples (the
// index of migrateToV2 in migrations, plus one): readers of older files
// leave the table out.
const gpuSamplesVersion = 2

// Schema v2 adds GPU utilization, sampled with the host snapshots: a row
// per device (pid 0) and per process the driver accounts for.
const schemaV2 = `
CREATE TABLE gpu_samples (
	ts       INTEGER NOT NULL,
	node     TEXT NOT NULL,
	gpu      INTEGER NOT NULL,
	pid      INTEGER NOT NULL,
	util_pct REAL NOT NULL,
	mem_pct  REAL NOT NULL,
	PRIMARY KEY (ts, node, gpu, pid)
) WITHOUT ROWID;
`

func migrateToV2(c *sqlite3.Conn) error {
	if err := c.Exec(schemaV2); err != nil {
		return fmt.Errorf("creating schema v2: %w", err)
	}
	return nil
}
