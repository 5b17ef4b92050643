package store

import (
	"fmt"

	"github.com/ncruces/go-sqlite3"
)

// gpuSamplesVersion is the schema version that added gpu_samples: readers
// of older files leave the table out.
const gpuSamplesVersion = 3

// Schema v3 adds GPU utilization, sampled with the host snapshots: a row
// per device (pid 0) and per process the driver accounts for.
const schemaV3 = `
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

func migrateToV3(c *sqlite3.Conn) error {
	if err := c.Exec(schemaV3); err != nil {
		return fmt.Errorf("creating schema v3: %w", err)
	}
	return nil
}
