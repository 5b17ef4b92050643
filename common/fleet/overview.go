package fleet

import (
	"context"
	"fmt"
)

// NodeOverview is the head of one node's dashboard: its recording's size
// and state.
type NodeOverview struct {
	Node      string `json:"node"`
	NodeName  string `json:"node_name"`
	Events    int64  `json:"events"`
	Chains    int64  `json:"chains"`
	Status    string `json:"status"`
	Live      bool   `json:"live"`
	LastEvent string `json:"last_event"`
	GPUModel  string `json:"gpu_model"`
}

type fullOverviewJSON struct {
	Live      bool    `json:"live"`
	Events    int64   `json:"events"`
	Chains    int64   `json:"chains"`
	Status    string  `json:"status"`
	LastEvent *string `json:"last_event"`
	Session   *struct {
		Node     string `json:"node"`
		GPUModel string `json:"gpu_model"`
	} `json:"session"`
}

// Overviews asks every node's /api/v1/overview.
func Overviews(ctx context.Context, c *Client) ([]NodeOverview, []string, error) {
	res := Each(ctx, c, func(ctx context.Context, n Node) (NodeOverview, error) {
		var ov fullOverviewJSON
		if err := c.Get(ctx, n, "/api/v1/overview", nil, &ov); err != nil {
			return NodeOverview{}, err
		}
		o := NodeOverview{Node: n.Name, Events: ov.Events, Chains: ov.Chains, Status: ov.Status, Live: ov.Live}
		if ov.LastEvent != nil {
			o.LastEvent = *ov.LastEvent
		}
		if ov.Session != nil {
			o.NodeName, o.GPUModel = ov.Session.Node, ov.Session.GPUModel
		}
		return o, nil
	})
	var out []NodeOverview
	var warns []string
	var errs []error
	for _, r := range res {
		if r.Err != nil {
			warns = append(warns, fmt.Sprintf("%s: %v", r.Node.Name, r.Err))
			errs = append(errs, fmt.Errorf("%s: %w", r.Node.Name, r.Err))
			continue
		}
		out = append(out, r.Value)
	}
	if len(out) == 0 {
		return nil, nil, allFailed(errs)
	}
	return out, warns, nil
}
