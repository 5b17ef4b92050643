package merge

import (
	"context"
	"fmt"
	"io"

	"ingero.dev/common/recording"
)

// source is one opened input and how its contents map into the output.
type source struct {
	path  string
	rec   *recording.Recording
	nodes []srcNode
	// sessions maps the input's session IDs to the output's.
	sessions map[string]string
	// forceNode names what was recorded without a node; unnamed says
	// whether the input holds such records.
	forceNode string
	unnamed   bool
}

// srcNode is one node's events in one input.
type srcNode struct {
	name       string // as recorded
	merged     string // as written: name, or --force-node for ""
	lo, hi     int64  // sequence numbers used: [lo, hi)
	offset     int64  // added to every sequence number
	events     int64
	tMin, tMax int64
}

func (s *source) node(name string) *srcNode {
	for i := range s.nodes {
		if s.nodes[i].name == name {
			return &s.nodes[i]
		}
	}
	return nil
}

// rename maps a node name of the input to the output's.
func (s *source) rename(name string) string {
	if name == "" && s.forceNode != "" {
		return s.forceNode
	}
	return name
}

func openSources(ctx context.Context, paths []string, forceNode string, errw io.Writer) ([]*source, error) {
	var out []*source
	for _, p := range paths {
		rec, err := recording.OpenFile(p)
		if err != nil {
			closeSources(out)
			return nil, fmt.Errorf("input %w", err)
		}
		for _, w := range rec.Warnings {
			fmt.Fprintf(errw, "ingero merge: warning: %s\n", w)
		}
		s := &source{path: p, rec: rec, sessions: map[string]string{}, forceNode: forceNode}
		out = append(out, s)
		if err := s.loadNodes(ctx); err != nil {
			closeSources(out)
			return nil, err
		}
	}
	return out, nil
}

func closeSources(srcs []*source) {
	for _, s := range srcs {
		s.rec.Close()
	}
}

func (s *source) loadNodes(ctx context.Context) error {
	res, err := s.rec.Query(ctx, 0, `SELECT n.name, min(c.first_seq), max(c.first_seq + c.n), sum(c.n), min(c.t_min), max(c.t_max)
		FROM event_chunks c JOIN nodes n ON n.id = c.node_id GROUP BY n.name ORDER BY n.name`)
	if err != nil {
		return fmt.Errorf("reading nodes of %s: %w", s.path, err)
	}
	unnamed, err := s.rec.Query(ctx, 1, `SELECT 1 FROM sessions WHERE node = '' UNION ALL SELECT 1 FROM snapshots WHERE node = ''
		UNION ALL SELECT 1 FROM process_names WHERE node = '' UNION ALL SELECT 1 FROM chains WHERE node = ''`)
	if err != nil {
		return fmt.Errorf("reading nodes of %s: %w", s.path, err)
	}
	s.unnamed = len(unnamed.Rows) > 0
	for _, row := range res.Rows {
		name, _ := row[0].(string)
		s.unnamed = s.unnamed || name == ""
		s.nodes = append(s.nodes, srcNode{name: name, merged: name, lo: asInt(row[1]), hi: asInt(row[2]),
			events: asInt(row[3]), tMin: asInt(row[4]), tMax: asInt(row[5])})
	}
	return nil
}

func asInt(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case float64:
		return int64(x)
	}
	return 0
}
