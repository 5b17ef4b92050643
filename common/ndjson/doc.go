// Package ndjson is the line format of `ingero trace --json` and
// `ingero query --json`: one JSON object per event per line. Other tools
// parse it, so it is a stable contract, documented in docs/json.md: field
// names are only ever added, never renamed or removed, and a field keeps
// its type.
//
// The Encoder is on trace's hot path. It appends by hand, with no
// reflection and no allocation per event, and it caches the per-second
// timestamp prefix and the per-op name fragments.
//
// Strings (process names, node, peer names) are escaped so that any bytes
// give valid JSON. Bytes that are not valid UTF-8 are written as \u0080 to
// \u00ff escapes of the byte value; the Encoder never escapes a valid
// character that way, so Decode maps such escapes back to the raw bytes and
// round-trips exactly. Other JSON readers see the byte as a Latin-1
// character, which is valid Unicode.
package ndjson
