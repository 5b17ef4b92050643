package merge

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"ingero.dev/common/store"
)

// run merges into a temporary file beside the output and renames it into
// place only when everything was written, so a failed or interrupted merge
// never leaves a half-written database under the output's name, nor
// destroys the file --force would have replaced.
func run(ctx context.Context, req *request, errw io.Writer) (*summary, error) {
	srcs, err := openSources(ctx, req.inputs, req.forceNode, errw)
	if err != nil {
		return nil, err
	}
	defer closeSources(srcs)
	warns, err := plan(srcs, req.forceNode)
	if err != nil {
		return nil, err
	}
	skew, err := estimateSkew(ctx, srcs, req.skewThreshold)
	if err != nil {
		return nil, err
	}
	warns = append(warns, skew...)
	for _, w := range warns {
		fmt.Fprintf(errw, "ingero merge: warning: %s\n", w)
	}

	tmp := filepath.Join(filepath.Dir(req.out), fmt.Sprintf(".%s.merging-%d", filepath.Base(req.out), os.Getpid()))
	removeDB(tmp)
	w, err := store.OpenWriter(tmp, store.Options{FlushInterval: -1})
	if err != nil {
		return nil, fmt.Errorf("creating %s: %w", req.out, err)
	}
	prog := newProgress(srcs, req, errw)
	sessionIDs := map[string]string{} // session ID → the input it came from
	for i, s := range srcs {
		err := copyRecords(ctx, w, s, i, sessionIDs, errw)
		if err == nil {
			err = copyEvents(ctx, w, s, prog)
		}
		if err != nil {
			w.Close()
			removeDB(tmp)
			return nil, err
		}
	}
	if err := w.Close(); err != nil {
		removeDB(tmp)
		return nil, fmt.Errorf("writing %s: %w", req.out, err)
	}
	if req.force {
		// A stale WAL beside the old file would be replayed into the new one.
		for _, side := range []string{"-wal", "-shm", "-journal"} {
			if err := os.Remove(req.out + side); err != nil && !errors.Is(err, fs.ErrNotExist) {
				removeDB(tmp)
				return nil, fmt.Errorf("replacing %s: %w", req.out, err)
			}
		}
	}
	if err := os.Rename(tmp, req.out); err != nil {
		removeDB(tmp)
		return nil, fmt.Errorf("writing %s: %w", req.out, err)
	}
	prog.done()
	return summarise(srcs, len(warns)), nil
}

func removeDB(path string) {
	for _, side := range []string{"", "-wal", "-shm", "-journal"} {
		os.Remove(path + side)
	}
}

func summarise(srcs []*source, warns int) *summary {
	sum := &summary{inputs: len(srcs), warns: warns}
	byNode := map[string]int64{}
	for _, s := range srcs {
		for _, n := range s.nodes {
			byNode[n.merged] += n.events
			sum.events += n.events
		}
	}
	for name, n := range byNode {
		sum.nodes = append(sum.nodes, nodeTotal{name, n})
	}
	sort.Slice(sum.nodes, func(i, j int) bool { return sum.nodes[i].name < sum.nodes[j].name })
	return sum
}
