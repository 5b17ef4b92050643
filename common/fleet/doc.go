// Package fleet is the fan-out client that query, explain, export and mcp
// share: the same request to every node's dashboard API at once, each
// node bounded by its own timeout and response cap, so one dead or slow
// node costs a warning and never the others' answers.
//
// Security follows common/httpsec's servers: HTTPS by default (the
// system's roots or --ca-cert, optionally a client certificate for
// mTLS), a bearer token from a file or the environment and never from
// argv, and plain HTTP only to loopback unless the operator says
// --insecure.
package fleet
