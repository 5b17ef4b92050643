package store

import (
	"fmt"
	"time"

	"github.com/ncruces/go-sqlite3"
)

// busyWait is how long a statement waits for another connection's lock
// (a checkpoint, a second writer) before failing with SQLITE_BUSY.
var busyWait = 5 * time.Second

// openConn opens path and prepares the connection the way every store
// connection needs: a busy timeout and the events virtual table.
func openConn(path string, readOnly bool, stats *scanStats) (*sqlite3.Conn, error) {
	flags := sqlite3.OPEN_READWRITE | sqlite3.OPEN_CREATE
	if readOnly {
		flags = sqlite3.OPEN_READONLY
	}
	c, err := sqlite3.OpenFlags(path, flags)
	if err != nil {
		return nil, fmt.Errorf("opening database %s: %w", path, err)
	}
	if err := c.BusyTimeout(busyWait); err != nil {
		c.Close()
		return nil, fmt.Errorf("setting busy timeout on %s: %w", path, err)
	}
	if err := registerEventsTable(c, stats); err != nil {
		c.Close()
		return nil, fmt.Errorf("registering the events table on %s: %w", path, err)
	}
	return c, nil
}
