package store

import (
	"fmt"

	"github.com/ncruces/go-sqlite3"
)

// migrateToV2 gives annotations the node they label, the one record that
// lacked it: a merged recording holds several nodes, whose PIDs collide.
// Rows of a v1 file get "" (unknown node).
func migrateToV2(c *sqlite3.Conn) error {
	if err := c.Exec(`ALTER TABLE annotations ADD COLUMN node TEXT NOT NULL DEFAULT ''`); err != nil {
		return fmt.Errorf("adding annotations.node: %w", err)
	}
	return nil
}
