package mcp

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"ingero.dev/common/fleet"
	"ingero.dev/common/report"
)

// FleetIn is a fan-out query across ingero nodes.
type FleetIn struct {
	Common
	Action string `json:"action,omitempty" jsonschema:"chains, ops, overview or sql"`
	Query  string `json:"query,omitempty" jsonschema:"the SQL statement, for action sql"`
	PID    uint32 `json:"pid,omitempty" jsonschema:"only this process, for action chains"`
	Limit  int    `json:"limit,omitempty" jsonschema:"rows per node, for action sql"`
}

// FleetOut is the merged answer of the nodes.
type FleetOut struct {
	Nodes      []string             `json:"nodes"`  // the nodes that answered
	Failed     []string             `json:"failed"` // the nodes that did not, with why
	Skew       []FleetSkew          `json:"skew"`
	Overview   []fleet.NodeOverview `json:"overview,omitempty"`
	Chains     []fleet.MergedChain  `json:"chains,omitempty"`
	Stragglers []fleet.Straggler    `json:"stragglers,omitempty"`
	Ops        []FleetOp            `json:"ops,omitempty"`
	Columns    []string             `json:"columns,omitempty"`
	Rows       [][]any              `json:"rows,omitempty"`
	Note       string               `json:"note,omitempty" fence:"ours"`
}

// FleetSkew is one node's clock against this server's.
type FleetSkew struct {
	Node     string  `json:"node"`
	OffsetMs float64 `json:"offset_ms"`
	RTTMs    float64 `json:"rtt_ms"`
}

// FleetOp is one op's latency on one node.
type FleetOp struct {
	Node string `json:"node"`
	report.OpStat
}

// errNoFleet says where the nodes come from when none were given.
var errNoFleet = errors.New("query_fleet asks other ingero nodes' dashboards, and this server was started without any: " +
	"restart it with 'ingero mcp --nodes HOST:PORT,…' (or fleet.nodes in ingero.yaml). " +
	"This server answers for its own recording: use get_causal_chains, get_trace_stats or run_sql")

// fleetSQLRows is the default and ceiling of rows per node for sql.
const fleetSQLRows = 1000

func (s *server) queryFleet(ctx context.Context, in FleetIn) (*FleetOut, error) {
	if s.fleet == nil {
		return nil, errNoFleet
	}
	action := in.Action
	if action == "" {
		action = "chains"
	}
	if action != "sql" && (in.Query != "" || in.Limit != 0) {
		return nil, fmt.Errorf("query and limit apply to action sql only")
	}
	if in.Limit < 0 || in.Limit > fleetSQLRows {
		return nil, fmt.Errorf("limit %d: 1 to %d rows per node (0: %d)", in.Limit, fleetSQLRows, fleetSQLRows)
	}
	out := &FleetOut{Failed: []string{}, Skew: []FleetSkew{}}
	skews := make(chan []fleet.Skew, 1)
	go func() { skews <- fleet.MeasureSkew(ctx, s.fleet) }()
	var warns []string
	var err error
	switch action {
	case "sql":
		if in.Query == "" {
			return nil, fmt.Errorf("action sql needs query: one read-only SQL statement, run on every node")
		}
		var res *fleet.SQLResult
		res, warns, err = fleet.Query(ctx, s.fleet, in.Query, cmpOr(in.Limit, fleetSQLRows))
		if err == nil {
			out.Columns, out.Rows = res.Columns, res.Rows
			for _, row := range res.Rows {
				if n, _ := row[0].(string); !slices.Contains(out.Nodes, n) {
					out.Nodes = append(out.Nodes, n)
				}
			}
		}
	case "overview":
		out.Overview, warns, err = fleet.Overviews(ctx, s.fleet)
		for _, o := range out.Overview {
			out.Nodes = append(out.Nodes, o.Node)
		}
	case "chains", "ops":
		var nodes []fleet.NodeChains
		nodes, warns, err = fleet.Chains(ctx, s.fleet, in.Since)
		for i, n := range nodes {
			out.Nodes = append(out.Nodes, n.Node.Name)
			if action == "ops" {
				for _, o := range n.Ops {
					out.Ops = append(out.Ops, FleetOp{Node: n.Node.Name, OpStat: o})
				}
			} else if in.PID != 0 {
				nodes[i].Chains = slices.DeleteFunc(nodes[i].Chains, func(c report.Chain) bool { return c.PID != in.PID && c.PID != 0 })
			}
		}
		if action == "chains" {
			out.Chains, out.Stragglers = fleet.MergeChains(nodes), fleet.Stragglers(nodes)
		}
	default:
		return nil, fmt.Errorf("action %q: chains, ops, overview or sql", in.Action)
	}
	sk := <-skews
	if err != nil {
		return nil, err
	}
	out.Failed = append(out.Failed, warns...)
	for _, k := range sk {
		out.Skew = append(out.Skew, FleetSkew{Node: k.Node.Name, OffsetMs: ms(k.Offset), RTTMs: ms(k.RTT)})
	}
	if sw := fleet.SkewWarnings(sk, s.skewThreshold); len(sw) > 0 {
		out.Note = fmt.Sprint(sw)
	}
	return out, nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func cmpOr(a, b int) int {
	if a != 0 {
		return a
	}
	return b
}
