// Package trace builds the `ingero trace` command: eBPF capture of CUDA
// runtime, driver and host events, recorded to SQLite (and optionally a
// stream file or NDJSON), with a live view.
package trace

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/peterbourgon/ff/v3/ffcli"

	"ingero.dev/common/cli"
	"ingero.dev/common/event"
	"ingero.dev/common/sysinfo"
	"ingero.dev/common/tui"
)

// New builds the command.
func New(stdio cli.Stdio) *ffcli.Command {
	c := &config{}
	fs := flag.NewFlagSet("trace", flag.ContinueOnError)
	c.register(fs)
	return &ffcli.Command{
		Name:       "trace",
		ShortUsage: "sudo ingero trace [flags]",
		ShortHelp:  "Trace CUDA and host events with eBPF and record them (needs root)",
		LongHelp: "Attaches uprobes to every libcudart/libcuda the target processes map,\n" +
			"scheduler/process tracepoints filtered to them and block IO tracepoints for\n" +
			"the whole host (each request charged to its submitter), records every event to the\n" +
			"database (see -d, --max-db), and shows live statistics. Ctrl-C stops and\n" +
			"flushes everything. Default targets: the CUDA processes of the user who ran\n" +
			"sudo. Every dropped event is counted and reported.",
		FlagSet: fs,
		Exec: func(ctx context.Context, args []string) error {
			if len(args) > 0 {
				return cli.Usagef("unexpected argument %q", args[0])
			}
			if err := c.validate(); err != nil {
				return err
			}
			return run(ctx, c, fs, stdio)
		},
	}
}

func run(ctx context.Context, c *config, fs *flag.FlagSet, stdio cli.Stdio) error {
	if err := yieldToWorkloads(); err != nil {
		fmt.Fprintf(stdio.Err, "warning: %v; trace's own wakeups may preempt the traced processes\n", err)
	}
	host, herr := sysinfo.HostInfo()
	node := c.node
	if node == "" {
		node = host.Hostname
	}
	st, err := openStatus(c.statusFD)
	if err != nil {
		return err
	}
	defer st.close()
	cp, err := loadCapture(c, stdio.Err)
	if err != nil {
		return err
	}
	defer cp.close()
	if herr != nil {
		fmt.Fprintf(stdio.Err, "warning: describing host: %v\n", herr)
	}
	tg := newTargets(c, cp, stdio.Err)
	tg.status = st
	if err := tg.checkPIDs(); err != nil {
		return err
	}
	start := time.Now()
	sess := newSession(c, fs, node, host, start, cp.clock.MonoNs)
	out := &outputs{warn: stdio.Err}
	if err := out.open(c, stdio.Out, sess); err != nil {
		out.close(sess.ID, time.Now().UnixNano(), event.SessionStats{})
		return err
	}
	ann, err := openAnnotations(c, fs, node, stdio.Err)
	if err != nil {
		out.close(sess.ID, time.Now().UnixNano(), event.SessionStats{})
		return err
	}
	view := newView(c, stdio, out.dbPath)
	stats := tui.NewStats(start, c.launchLatency)
	var verbose = view.verboseWriter()
	sampler, _ := sysinfo.NewSampler("/", node)
	gpus := gpuSampler()
	if gpus != nil {
		defer gpus.Close()
	}
	exp, err := startExporters(&c.export, start, c.launchLatency, sess, gpus, stdio.Err)
	if err != nil {
		out.close(sess.ID, time.Now().UnixNano(), event.SessionStats{})
		return err
	}
	pl := newPipeline(node, out, stats, tg.poke, verbose)
	pl.stacks = cp.stacks
	pl.meter = exp.meter()
	ticker := &ticker{c: c, cp: cp, out: out, stats: stats, pl: pl, tg: tg, view: view, status: st,
		sess: sess, sampler: sampler, ann: ann, gpus: gpus, exp: exp, deadband: sysinfo.NewDeadband(c.deadband, c.heartbeat)}
	ticker.init()

	fmt.Fprintf(stdio.Err, "ingero trace: watching %s; %s\n", tg.scope, view.describeOutputs(c))
	go pl.run(ticker.tick)
	cp.start(pl.sink)
	loopCtx, stopLoop := context.WithCancel(ctx)
	go tg.loop(loopCtx)
	st.attached(tg.scope, out.dbPath, c.stream)

	if c.duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.duration)
		defer cancel()
	}
	<-ctx.Done()
	stopLoop()
	if ann != nil {
		// Spans still open end now; ticker.final records them.
		ann.Close()
	}

	// Detach and drain the rings first, so every record already in the
	// kernel reaches the outputs before they close.
	capErr := cp.close()
	pl.stop()
	final := ticker.final()
	exp.stop()
	last := ticker.model(time.Now())
	last.AverageRates()
	view.finish(last)
	stopNs := time.Now().UnixNano()
	outErr := out.close(sess.ID, stopNs, final)
	view.exitSummary(final, pl.events, time.Since(start), out.dbPath, c.stream)
	if cp.stacks != nil {
		stackSummary(stdio.Err, cp.stacks.Walker(), cp.stacks.Stats())
	}
	if ann != nil {
		annotationSummary(stdio.Err, ann.Stats())
	}
	missed := cp.missedIO()
	if missed > 0 {
		fmt.Fprintf(stdio.Err, "ingero trace: %d block IO requests not recorded: the kernel ran no probe at their completion\n", missed)
	}
	st.stopped(final, missed, out.dbPath, c.stream, ticker.annotationStats())
	if capErr != nil {
		fmt.Fprintf(stdio.Err, "warning: detaching probes: %v\n", capErr)
	}
	if outErr != nil {
		return fmt.Errorf("recording: %w", outErr)
	}
	return nil
}

// newSession describes this run for the session row and the stream header.
func newSession(c *config, fs *flag.FlagSet, node string, host sysinfo.Host, start time.Time, mono int64) event.Session {
	model, driver := gpuSummary()
	return event.Session{
		ID:          fmt.Sprintf("%s:%d", node, start.UnixNano()),
		Node:        node,
		Host:        host.Hostname,
		StartNs:     start.UnixNano(),
		Kernel:      host.Kernel,
		GPUModel:    model,
		GPUDriver:   driver,
		Version:     cli.Version(),
		Flags:       c.flagSummary(fs),
		PIDFilter:   []uint32(c.pids),
		ClockMonoNs: mono,
	}
}

func isTTY(f any) bool {
	file, ok := f.(*os.File)
	return ok && tui.IsTerminal(file)
}
