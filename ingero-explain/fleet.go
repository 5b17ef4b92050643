package explain

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"slices"

	"ingero.dev/common/cli"
	"ingero.dev/common/fleet"
	"ingero.dev/common/report"
	"ingero.dev/common/timerange"
)

// fleetReport is explain --nodes: every node's stored chains, the same
// chain on several nodes merged into one, and the nodes whose waits
// stand out.
type fleetReport struct {
	Since      string              `json:"since"`
	Nodes      []fleetNode         `json:"nodes"`
	Chains     []fleet.MergedChain `json:"chains"`
	Stragglers []fleet.Straggler   `json:"stragglers"`
	Warnings   []string            `json:"warnings"`
}

type fleetNode struct {
	Node     string `json:"node"`
	NodeName string `json:"node_name"`
	Events   int64  `json:"events"`
	Chains   int    `json:"chains"`
}

// runFleet reads the chains trace stored on each node through its
// dashboard (GET /api/v1/chains): a dashboard serves stored chains, so
// --nodes implies --chains.
func (c *config) runFleet(ctx context.Context, plan *fleet.Plan, args []string) error {
	since, err := c.fleetSince(args)
	if err != nil {
		return err
	}
	pids, err := cli.ParsePIDs(c.pids)
	if err != nil {
		return err
	}
	client, err := plan.Client()
	if err != nil {
		return err
	}
	defer client.Close()
	if plan.From != "" {
		fmt.Fprintf(c.stdio.Err, "ingero explain: asking %d nodes of fleet.nodes in %s (-d FILE reads a local recording)\n", len(plan.Nodes), plan.From)
	}
	var skews []fleet.Skew
	skewDone := make(chan struct{})
	go func() { skews = fleet.MeasureSkew(ctx, client); close(skewDone) }()
	nodes, warns, err := fleet.Chains(ctx, client, since)
	<-skewDone
	warns = append(warns, fleet.SkewWarnings(skews, c.fleet.SkewThreshold)...)
	for _, w := range warns {
		fmt.Fprintf(c.stdio.Err, "ingero explain: warning: %s\n", w)
	}
	if err != nil {
		return err
	}
	rep := &fleetReport{Since: since, Stragglers: fleet.Stragglers(nodes), Warnings: warns}
	for i := range nodes {
		if len(pids) > 0 {
			nodes[i].Chains = slices.DeleteFunc(nodes[i].Chains, func(ch report.Chain) bool { return !slices.Contains(pids, ch.PID) })
		}
		rep.Nodes = append(rep.Nodes, fleetNode{Node: nodes[i].Node.Name, NodeName: nodes[i].NodeName, Events: nodes[i].Events, Chains: len(nodes[i].Chains)})
	}
	rep.Chains = fleet.MergeChains(nodes)
	if rep.Warnings == nil {
		rep.Warnings = []string{}
	}
	if rep.Stragglers == nil {
		rep.Stragglers = []fleet.Straggler{}
	}
	if c.json {
		enc := json.NewEncoder(c.stdio.Out)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	return writeFleetText(c.stdio.Out, rep, len(plan.Nodes))
}

// fleetSince turns the window flags into the dashboard's since: the API
// takes a look-back only, so --from/--to and the analysing flags do not
// apply to a fan-out.
func (c *config) fleetSince(args []string) (string, error) {
	set := map[string]bool{}
	c.fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	switch {
	case len(args) > 0:
		return "", cli.Usagef("explain takes no arguments (got %q); to query events use 'ingero query'", args[0])
	case set["from"] || set["to"]:
		return "", cli.Usagef("--from/--to do not apply to --nodes: each dashboard looks back from its recording's end; use --since DURATION (or --since all)")
	case set["last"], c.perProcess, c.annotations, c.byRequest:
		return "", cli.Usagef("--nodes shows the chains trace stored on each node; --last, --per-process, --annotations and --by-request need a local recording (-d FILE, or 'ingero merge' the nodes' files)")
	}
	if !set["since"] {
		return timerange.FormatDuration(defaultSince), nil
	}
	return c.fs.Lookup("since").Value.String(), nil
}
