package store

import (
	"fmt"

	"github.com/ncruces/go-sqlite3"
)

// senderVersion is the schema version that gave annotations their sender:
// readers of older files read none.
const senderVersion = 4

// migrateToV4 records who wrote each annotation over trace's socket, as
// the kernel reported it: NULL for rows written otherwise, so that a
// hand-inserted row never passes for one a process sent.
func migrateToV4(c *sqlite3.Conn) error {
	for _, col := range []string{"sender_pid", "sender_uid", "sender_gid", "sender_start_ticks"} {
		if err := c.Exec(`ALTER TABLE annotations ADD COLUMN ` + col + ` INTEGER`); err != nil {
			return fmt.Errorf("adding annotations.%s: %w", col, err)
		}
	}
	return nil
}
