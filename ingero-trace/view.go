package trace

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"ingero.dev/common/cli"
	"ingero.dev/common/event"
	"ingero.dev/common/timerange"
	"ingero.dev/common/tui"
)

// view decides how trace talks to the person running it: a live screen on
// a terminal, a plain summary every few seconds otherwise, and nothing on
// stdout when stdout carries NDJSON or the stream.
type view struct {
	stdio      cli.Stdio
	mode       viewMode
	width      int
	plainEvery int
	ticks      int
}

type viewMode int

const (
	viewTTY     viewMode = iota // redraw the screen each second
	viewPlain                   // a plain summary block every plainEvery seconds
	viewVerbose                 // every event as a line, and the plain summary
	viewQuiet                   // stdout is data (--json, --stream -): status on stderr only
)

func newView(c *config, stdio cli.Stdio, dbPath string) *view {
	v := &view{stdio: stdio, plainEvery: 10}
	switch {
	case c.json || c.stream == "-":
		v.mode = viewQuiet
	case c.verbose:
		v.mode = viewVerbose
	case isTTY(stdio.Out):
		v.mode = viewTTY
		v.width = tui.Width(stdio.Out.(*os.File))
	default:
		v.mode = viewPlain
	}
	return v
}

func (v *view) verboseWriter() io.Writer {
	if v.mode == viewVerbose {
		return v.stdio.Out
	}
	return nil
}

func (v *view) refresh(m *tui.Model) {
	v.ticks++
	switch v.mode {
	case viewTTY:
		tui.RenderTTY(v.stdio.Out, m, v.width)
	case viewPlain, viewVerbose:
		if v.ticks%v.plainEvery == 0 {
			tui.RenderPlain(v.stdio.Out, m)
		}
	}
}

// finish shows the last state once more where the periodic summary may
// not have come round yet.
func (v *view) finish(m *tui.Model) {
	switch v.mode {
	case viewTTY:
		tui.RenderTTY(v.stdio.Out, m, v.width)
	case viewPlain, viewVerbose:
		tui.RenderPlain(v.stdio.Out, m)
	}
}

func (v *view) describeOutputs(c *config) string {
	var parts []string
	if c.record {
		limit := "no size limit"
		if c.maxDB > 0 {
			limit = "pruned at " + timerange.FormatSize(c.maxDB)
		}
		db := c.db
		if db == "" {
			db = "the default database"
		}
		parts = append(parts, fmt.Sprintf("recording to %s (%s)", db, limit))
	} else {
		parts = append(parts, "not recording (--record=false)")
	}
	if c.stream != "" {
		parts = append(parts, "stream to "+map[bool]string{true: "stdout", false: c.stream}[c.stream == "-"])
	}
	if c.json {
		parts = append(parts, "NDJSON to stdout")
	}
	stop := "Ctrl-C to stop"
	if c.duration > 0 {
		stop = "stopping after " + c.duration.String()
	}
	return strings.Join(parts, "; ") + "; " + stop
}

// exitSummary says what was recorded and, always, what was lost.
func (v *view) exitSummary(st event.SessionStats, events uint64, elapsed time.Duration, dbPath, stream string) {
	w := v.stdio.Err
	fmt.Fprintf(w, "ingero trace: %d events in %s; lost: %d dropped in the kernel, %d in user space; %d sampled out\n",
		events, elapsed.Round(time.Millisecond), st.KernelDrops, st.UserDrops, st.SampledOut)
	if dbPath != "" {
		fmt.Fprintf(w, "recorded to %s: run 'ingero explain -d %s'\n", dbPath, dbPath)
	}
	if stream != "" && stream != "-" {
		fmt.Fprintf(w, "stream written to %s\n", stream)
	}
	if st.KernelDrops > 0 {
		fmt.Fprintf(w, "warning: the kernel ring buffer overflowed; raise --ringbuf-size (e.g. 32m) or use --sampling-rate 0\n")
	}
}
