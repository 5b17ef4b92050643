// Package concurrency holds tests only: trace's writer recording a stand-in
// launch storm while the read-only commands (explain, query, dashboard,
// mcp) read the same database, each as the process a user would run. It is
// a package of its own so that its test binary, built here and run on a
// host without Go (bench/device-concurrency.sh), links none of trace.
package concurrency
