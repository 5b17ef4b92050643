// Package report holds the documented JSON shapes of ingero's analysis
// (docs/json.md) as Go types, and the builders that turn analysis results
// into them. explain and query write them today; mcp, dashboard and export
// serve the same shapes, so a field means one thing wherever it appears.
//
// The shapes are a contract: fields are only ever added, never renamed or
// removed, and a field never changes its type. Times are RFC 3339 in UTC
// with nine fractional digits, as in trace --json.
//
// Entry points: [NewChains] (explain --json), [NewPerProcess]
// (explain --per-process --json), [NewStats] and [NewSummaryStats]
// (per-op latency statistics), [CheckResult] (check --json), and
// [WriteJSON], which writes any of them as the commands do.
package report
