package export

import (
	"bufio"
	"compress/gzip"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"ingero.dev/common/cli"
	"ingero.dev/common/recording"
)

// run opens the recording, resolves the window against its newest event
// and streams the trace into a temporary file that replaces the output
// only once complete.
func run(ctx context.Context, req *request, stdio cli.Stdio) (*sinkStats, error) {
	rec, err := recording.Open(req.db)
	if err != nil {
		return nil, err
	}
	defer rec.Close()
	for _, w := range rec.Warnings {
		fmt.Fprintf(stdio.Err, "ingero export: warning: %s\n", w)
	}
	sel, err := req.selection(rec)
	if err != nil {
		return nil, err
	}
	if req.note != "" {
		fmt.Fprintf(stdio.Err, "ingero export: note: %s\n", req.note)
	}
	var dst io.Writer = stdio.Out
	var tmp *os.File
	if req.out != "-" {
		tmp, err = os.CreateTemp(filepath.Dir(req.out), "."+filepath.Base(req.out)+".tmp-*")
		if err != nil {
			return nil, fmt.Errorf("writing %s: %w", req.out, err)
		}
		defer os.Remove(tmp.Name())
		defer tmp.Close()
		dst = tmp
	}
	var gz *gzip.Writer
	if req.gzip {
		gz = gzip.NewWriter(dst)
		dst = gz
	}
	bw := bufio.NewWriterSize(dst, 256<<10)
	var out sink
	if req.format == formatJSON {
		out = newChromeSink(bw)
	} else {
		out = newPerfettoSink(bw)
	}
	if err := build(ctx, rec, sel, out); err != nil {
		return nil, fmt.Errorf("exporting %s: %w", rec.Path, err)
	}
	err = bw.Flush()
	if err == nil && gz != nil {
		err = gz.Close()
	}
	if err == nil && tmp != nil {
		err = tmp.Chmod(0o644)
		if err == nil {
			err = tmp.Close()
		}
		if err == nil {
			err = os.Rename(tmp.Name(), req.out)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("writing %s: %w", req.out, err)
	}
	return out.counts(), nil
}

// selection resolves --since/--from/--to. Relative times count back from
// the recording's newest event, so "--since 5m" of a recording made last
// week is its last five minutes, not nothing.
func (req *request) selection(rec *recording.Recording) (selection, error) {
	sel := selection{pids: req.pids, chains: req.cfg.chains}
	set := false
	req.cfg.fs.Visit(func(f *flag.Flag) { set = set || f.Name == "since" || f.Name == "from" || f.Name == "to" })
	if !set {
		return sel, nil
	}
	span, err := rec.TimeSpan()
	if err != nil {
		return sel, err
	}
	now := req.cfg.now()
	if span.LastNs != 0 {
		now = time.Unix(0, span.LastNs)
	}
	rng, err := req.cfg.window.Resolve(now)
	if err != nil {
		return sel, err
	}
	sel.fromNs, sel.toNs = rng.UnixNanos()
	if rng.From.IsZero() {
		sel.fromNs = 0
	}
	return sel, nil
}
