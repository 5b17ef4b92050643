package query

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"ingero.dev/common/adhoc"
	"ingero.dev/common/cli"
	"ingero.dev/common/fleet"
)

func (c *config) dbSet() bool { return c.db != "" }

// runFleet asks every node's dashboard (POST /api/v1/query) and prints
// one table with the node first. Nodes that fail are warnings; the
// others' rows are kept.
func (c *config) runFleet(ctx context.Context, plan *fleet.Plan, args []string) error {
	if c.annotations {
		return cli.Usagef("--annotations reads a local recording; with --nodes, join annotations in SQL (SELECT … FROM events JOIN annotations …)")
	}
	if c.byRequest {
		return cli.Usagef("--by-request reads a local recording's request spans; query a node's file with -d, or 'ingero merge' the nodes' files first")
	}
	if c.stacks {
		return cli.Usagef("--stacks reads a local recording; with --nodes, rank call sites in SQL over each node's stacks table (SELECT stack_id, count(*) … GROUP BY stack_id)")
	}
	client, err := plan.Client()
	if err != nil {
		return err
	}
	defer client.Close()
	c.note(plan)
	var skews []fleet.Skew
	skewDone := make(chan struct{})
	go func() { skews = fleet.MeasureSkew(ctx, client); close(skewDone) }()
	var res *fleet.SQLResult
	var warns []string
	if len(args) == 1 {
		res, warns, err = fleet.Query(ctx, client, args[0], c.sqlCap())
	} else {
		res, warns, err = c.fleetEvents(ctx, client)
	}
	<-skewDone
	for _, w := range append(warns, fleet.SkewWarnings(skews, c.fleet.SkewThreshold)...) {
		fmt.Fprintf(c.stdio.Err, "ingero query: warning: %s\n", w)
	}
	if err != nil {
		return err
	}
	if len(res.Truncated) > 0 {
		fmt.Fprintf(c.stdio.Err, "ingero query: warning: %s stopped at the row cap; add LIMIT, narrow the statement or raise --max-rows (the dashboard's --query-max-rows is the ceiling)\n", strings.Join(res.Truncated, ", "))
	}
	out := &adhoc.Result{Columns: res.Columns, Rows: res.Rows}
	if c.json {
		return writeRowsJSON(c.stdio, out, c.maxRows)
	}
	return writeRowsTable(c.stdio.Out, out, c.maxRows)
}

// note says where the nodes came from when the config chose them, so
// that a fan-out is never a surprise.
func (c *config) note(plan *fleet.Plan) {
	if plan.From != "" {
		fmt.Fprintf(c.stdio.Err, "ingero query: asking %d nodes of fleet.nodes in %s (-d FILE reads a local recording)\n", len(plan.Nodes), plan.From)
	}
}

// sqlCap is the per-node row cap to ask for: --max-rows, or as many as
// the node allows when it is 0.
func (c *config) sqlCap() int {
	if c.maxRows == 0 {
		return math.MaxInt32
	}
	return c.maxRows
}

// fleetEvents lists the window's events of every node through SQL with
// the same filters as the local listing: each node's newest --limit,
// merged oldest first.
func (c *config) fleetEvents(ctx context.Context, client *fleet.Client) (*fleet.SQLResult, []string, error) {
	rng, err := c.window.Resolve(c.now())
	if err != nil {
		return nil, nil, err
	}
	where := []string{fmt.Sprintf("timestamp <= %d", rng.To.UnixNano())}
	if !rng.From.IsZero() {
		where = append(where, fmt.Sprintf("timestamp >= %d", rng.From.UnixNano()))
	}
	pids, _ := cli.ParsePIDs(c.pids) // checked already
	if len(pids) > 0 {
		ps := make([]string, len(pids))
		for i, p := range pids {
			ps[i] = fmt.Sprint(p)
		}
		where = append(where, "pid IN ("+strings.Join(ps, ",")+")")
	}
	ops, _ := parseOps(c.ops)
	if len(ops) > 0 {
		var or []string
		for _, k := range ops {
			or = append(or, fmt.Sprintf("(source = %d AND op = %d)", k.Source, k.Op))
		}
		where = append(where, "("+strings.Join(or, " OR ")+")")
	}
	sql := "SELECT timestamp, pid, comm, source_name AS layer, op_name AS op, duration_ns, return_code FROM events WHERE " +
		strings.Join(where, " AND ") + " ORDER BY timestamp DESC"
	rows := math.MaxInt32
	if c.limit > 0 {
		sql += fmt.Sprintf(" LIMIT %d", c.limit)
		rows = c.limit
	}
	res, warns, err := fleet.Query(ctx, client, sql, rows)
	if err != nil {
		return nil, warns, err
	}
	// Oldest first across nodes, as the local listing prints; the node
	// breaks ties so the order is the same every run.
	slices.SortStableFunc(res.Rows, func(a, b []any) int {
		return cmp.Or(cmp.Compare(asInt(a[1]), asInt(b[1])), cmp.Compare(a[0].(string), b[0].(string)))
	})
	return res, warns, nil
}

func asInt(v any) int64 {
	n, _ := v.(int64)
	return n
}
