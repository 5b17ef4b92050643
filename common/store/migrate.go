package store

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/ncruces/go-sqlite3"
)

// A migration moves a database from version i to i+1, where i is its index
// in migrations. Each runs in its own transaction together with the bump
// of PRAGMA user_version, so a crash leaves either version, never a mix.
// Append only: released migrations never change.
type migration func(*sqlite3.Conn) error

var migrations = []migration{
	migrateToV1,
	migrateToV2,
	migrateToV3,
	migrateToV4,
}

// minReadableVersion is the oldest schema the Reader understands. Readers
// cannot migrate (they never write), so they read older versions as is.
const minReadableVersion = 1

func currentVersion() int { return len(migrations) }

// newerSchemaError is its own type so that the message stays the one line
// users see while errors.Is still finds ErrNewerSchema.
type newerSchemaError struct {
	path          string
	have, support int
}

func (e *newerSchemaError) Error() string {
	return fmt.Sprintf("database %s has schema v%d, newer than this ingero understands (v%d): upgrade ingero",
		e.path, e.have, e.support)
}

func (e *newerSchemaError) Unwrap() error { return ErrNewerSchema }

// schemaVersion reads PRAGMA user_version and turns "not a database" and
// corruption into ErrNotIngero with the path in the message.
func schemaVersion(c *sqlite3.Conn, path string) (int, error) {
	v, err := queryInt(c, `PRAGMA user_version`)
	if err != nil {
		return 0, classifyOpenError(path, err)
	}
	return int(v), nil
}

func classifyOpenError(path string, err error) error {
	if errors.Is(err, sqlite3.NOTADB) || errors.Is(err, sqlite3.CORRUPT) {
		return fmt.Errorf("database %s is not SQLite or is corrupt: %w (%w)", path, ErrNotIngero, err)
	}
	return fmt.Errorf("reading database %s: %w", path, err)
}

// checkVersion refuses versions this build cannot handle; writable says
// whether the caller can migrate older ones.
func checkVersion(c *sqlite3.Conn, path string, writable bool) (int, error) {
	v, err := schemaVersion(c, path)
	if err != nil {
		return 0, err
	}
	if v > currentVersion() {
		return v, &newerSchemaError{path: path, have: v, support: currentVersion()}
	}
	if v == 0 {
		n, err := queryInt(c, `SELECT count(*) FROM sqlite_schema`)
		if err != nil {
			return 0, classifyOpenError(path, err)
		}
		if n > 0 {
			return 0, fmt.Errorf("database %s holds tables but no ingero schema version: %w", path, ErrNotIngero)
		}
		if !writable {
			return 0, fmt.Errorf("database %s is empty: %w", path, ErrNotIngero)
		}
	}
	if !writable && v < minReadableVersion {
		return v, fmt.Errorf("database %s has schema v%d, older than this ingero reads (v%d): %w",
			path, v, minReadableVersion, ErrNotIngero)
	}
	return v, nil
}

// migrate brings c from version from up to len(steps).
func migrate(c *sqlite3.Conn, from int, steps []migration) error {
	for v := from; v < len(steps); v++ {
		if err := migrateOne(c, v, steps[v]); err != nil {
			return fmt.Errorf("migrating schema v%d to v%d: %w", v, v+1, err)
		}
	}
	return nil
}

func migrateOne(c *sqlite3.Conn, v int, step migration) error {
	return inTx(c, func() error {
		// Another process may have migrated between our check and our lock.
		cur, err := queryInt(c, `PRAGMA user_version`)
		if err != nil || cur > int64(v) {
			return err
		}
		if err := step(c); err != nil {
			return err
		}
		if err := c.Exec(`PRAGMA user_version = ` + strconv.Itoa(v+1)); err != nil {
			return err
		}
		return c.Exec(`INSERT OR REPLACE INTO schema_info(key, value) VALUES ('version', '` + strconv.Itoa(v+1) + `')`)
	})
}
