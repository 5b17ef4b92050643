package mcp

import (
	"context"
	"errors"
)

// FleetIn is a fan-out query across ingero nodes.
type FleetIn struct {
	Common
	Action string `json:"action,omitempty" jsonschema:"chains, ops, overview or sql"`
	Query  string `json:"query,omitempty" jsonschema:"the SQL statement, for action sql"`
	PID    uint32 `json:"pid,omitempty" jsonschema:"only this process"`
	Limit  int    `json:"limit,omitempty" jsonschema:"rows per node, for action sql"`
}

// FleetOut is the merged answer of the nodes.
type FleetOut struct {
	Nodes []string `json:"nodes"`
}

// errNoFleet says what query_fleet needs: the nodes to ask come from
// `ingero mcp --nodes`, which lands with the fleet work (the dashboard's
// fleet API on each node). Until then the tool says so instead of
// pretending a single node is a fleet.
var errNoFleet = errors.New("query_fleet asks other ingero nodes, listed with 'ingero mcp --nodes HOST:PORT,…'; " +
	"this build has no --nodes yet (it comes with fleet support). " +
	"This server answers for its own recording: use get_causal_chains, get_trace_stats or run_sql")

func (s *server) queryFleet(context.Context, FleetIn) (*FleetOut, error) {
	return nil, errNoFleet
}
