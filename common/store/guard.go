package store

import (
	"errors"
	"fmt"

	"github.com/ncruces/go-sqlite3"
)

// ErrForbiddenQuery is wrapped when an ad-hoc query would reach beyond the
// recording or hold it: ATTACH and DETACH, or a transaction left open
// (which would keep a read snapshot and stop the writer's checkpoints). A
// pragma that sets something wraps ErrWriteQuery instead.
var ErrForbiddenQuery = errors.New("query would reach beyond the recording (ATTACH, DETACH) or hold it open (BEGIN, SAVEPOINT)")

// readingPragmas are the pragmas a reader may run: each only reports. A
// pragma given an argument usually sets what it names, so only those in
// pragmaArgs, whose argument names what to report on, may take one.
var (
	readingPragmas = set("table_info", "table_xinfo", "table_list", "index_list", "index_info", "index_xinfo",
		"foreign_key_list", "database_list", "collation_list", "function_list", "module_list", "pragma_list",
		"compile_options", "user_version", "schema_version", "application_id", "page_count", "page_size",
		"freelist_count", "encoding", "data_version", "integrity_check", "quick_check", "auto_vacuum",
		"max_page_count", "cache_size", "query_only")
	pragmaArgs = set("table_info", "table_xinfo", "table_list", "index_list", "index_info", "index_xinfo",
		"foreign_key_list", "integrity_check", "quick_check")
)

func set(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// authorize is the reader connection's authorizer: the engine asks it
// about every statement as it is prepared, whatever the statement's text
// looks like (comments, case, table-valued pragma functions). It notes
// what it denied, for deniedError.
func (r *Reader) authorize(action sqlite3.AuthorizerActionCode, name3rd, name4th, _, _ string) sqlite3.AuthorizerReturnCode {
	switch action {
	case sqlite3.AUTH_ATTACH, sqlite3.AUTH_DETACH, sqlite3.AUTH_TRANSACTION, sqlite3.AUTH_SAVEPOINT:
		r.denied = action
		return sqlite3.AUTH_DENY
	case sqlite3.AUTH_PRAGMA:
		if !readingPragmas[name3rd] || (name4th != "" && !pragmaArgs[name3rd]) {
			r.denied = action
			return sqlite3.AUTH_DENY
		}
	}
	return sqlite3.AUTH_OK
}

// deniedError names what the authorizer refused while preparing.
func (r *Reader) deniedError(err error) error {
	if r.denied == sqlite3.AUTH_PRAGMA {
		return fmt.Errorf("query: %w (a pragma that sets something): %w", ErrWriteQuery, err)
	}
	return fmt.Errorf("query: %w: %w", ErrForbiddenQuery, err)
}
