// Package fleete2e holds the end-to-end tests of the fleet fan-out: real
// dashboards (in this process, or the built binary in network
// namespaces) serving different recordings, asked by query, explain and
// export with --nodes. It has no code of its own.
package fleete2e
