package demo

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"ingero.dev/ingero-demo/internal/scenario"
)

// trainComm names the training loop's process in every real scenario.
const trainComm = "train"

// realRun is one scenario played for real.
type realRun struct {
	c     *config
	k     kit
	s     scenario.Scenario
	cpus  cpuPlan
	say   io.Writer // the narration: stdout, or stderr when stdout is NDJSON
	train *child
	// cotenants are started with the training loop, held, and released
	// at their plant's time; hogs are started then.
	cotenants map[int]*child
	hogs      []*child
	tr        *tracer
	// memory confines the loop of a scenario with a working set.
	memory  *confinement
	sockDir string // holds trace's annotation socket
}

func (c *config) runReal(ctx context.Context, k kit, s scenario.Scenario, i, n int) error {
	say := c.narration()
	c.announce(s, i, n)
	if s.Real.Synthetic != "" {
		fmt.Fprintf(say, "synthetic: %s\n", s.Real.Synthetic)
		return c.runSynthetic(ctx, s, n)
	}
	path, cleanup, err := c.dbPath(s.Name, n)
	if err != nil {
		return err
	}
	defer cleanup()
	r := &realRun{c: c, k: k, s: s, cpus: planCPUs(), say: say, cotenants: map[int]*child{}}
	defer r.cleanup()
	if err := r.start(ctx, path); err != nil {
		return err
	}
	if err := r.play(ctx); err != nil {
		return err
	}
	if c.json {
		return nil
	}
	fmt.Fprint(say, r.tr.summary())
	fmt.Fprintf(say, "recorded to %s\n\n", path)
	// The window starts before the processes did: the whole run, only it.
	out, err := c.runner(ctx, []string{"-d", path, "--since", (c.span + 30*time.Second).String(), "--annotations"})
	fmt.Fprint(say, out)
	return err
}

// start launches the GPU processes, held before their first call, then
// trace on exactly their PIDs, and waits until trace has attached.
func (r *realRun) start(ctx context.Context, path string) error {
	span := r.c.span
	argv, env := r.k.workload(r.s.Real.Pattern, trainComm, roleTrain, r.cpus.train, span)
	// The training loop annotates its steps over trace's socket, which
	// trace opens before it is released (docs/annotations.md).
	sockDir, err := os.MkdirTemp("", "ingero-demo-sock-")
	if err != nil {
		return err
	}
	r.sockDir = sockDir
	sock := filepath.Join(sockDir, "annotate.sock")
	env = append(env, "INGERO_ANNOTATE_SOCKET="+sock)
	if ws := r.s.Real.WorkingSet; ws > 0 {
		if r.memory, err = confine(r.k.diskDir(), ws, r.say); err != nil {
			return err
		}
		a, e := r.k.workingSet(ws, r.memory.dataDir)
		argv, env = append(argv, a...), append(env, e...)
	}
	if r.train, err = startChild(ctx, "the training loop", argv, env, true, r.k.readyTimeout()); err != nil {
		return err
	}
	if r.memory != nil {
		// Held before its first step: its working set is charged there.
		if err := r.memory.add(r.train.pid()); err != nil {
			return err
		}
	}
	pids := []string{strconv.Itoa(r.train.pid())}
	for i, p := range r.s.Real.Plants {
		if p.Kind != scenario.Cotenant {
			continue
		}
		ro := roleShare
		if p.Heavy {
			ro = roleSteal
		}
		argv, env := r.k.workload(scenario.PatternTrain, p.Comm, ro, r.cpus.other, time.Duration(float64(span)*(1-p.At)))
		ch, err := startChild(ctx, p.Comm, argv, env, true, r.k.readyTimeout())
		if err != nil {
			return err
		}
		r.cotenants[i] = ch
		pids = append(pids, strconv.Itoa(ch.pid()))
	}
	args := []string{"--pid", strings.Join(pids, ","), "--annotate-socket", sock}
	var out io.Writer
	if r.c.json {
		args = append(args, "--json", "--record=false")
		out = r.c.stdio.Out
	} else {
		args = append(args, "-d", path)
	}
	if r.tr, err = startTracer(args, out); err != nil {
		return err
	}
	attached := func(st traceStatus) bool { return st.Status == "attached" }
	if err := r.tr.waitStatus(ctx, "attaching its probes", attached, time.Minute); err != nil {
		return err
	}
	for _, pid := range pids {
		traced := func(st traceStatus) bool { return st.Status == "pid" && st.CUDA && strconv.Itoa(int(st.PID)) == pid }
		if err := r.tr.waitStatus(ctx, "tracing PID "+pid, traced, 30*time.Second); err != nil {
			return err
		}
	}
	fmt.Fprintf(r.say, "%s (PID %s) runs the %s loop on CPU %d for %v, traced\n", trainComm, pids[0], r.s.Real.Pattern, r.cpus.train, span)
	return nil
}

// play releases the training loop, starts each plant at its time, waits
// for the loop to finish and stops trace.
func (r *realRun) play(ctx context.Context) error {
	span := r.c.span
	t0 := time.Now()
	if err := r.train.release(); err != nil {
		return err
	}
	order := make([]int, len(r.s.Real.Plants))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return cmp.Compare(r.s.Real.Plants[a].At, r.s.Real.Plants[b].At)
	})
	for _, i := range order {
		p := r.s.Real.Plants[i]
		at := time.Duration(float64(span) * p.At)
		select {
		case <-time.After(time.Until(t0.Add(at))):
		case <-ctx.Done():
			return ctx.Err()
		}
		if err := r.plant(ctx, i, p, span-at); err != nil {
			return err
		}
	}
	if err := r.train.wait(ctx); err != nil {
		return err
	}
	var errs []error
	for _, ch := range r.cotenants {
		errs = append(errs, ch.wait(ctx))
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	// trace summarises CPU contention once a second: let the last second
	// of the run reach the record before stopping it.
	time.Sleep(1200 * time.Millisecond)
	return r.tr.stop()
}

func (r *realRun) plant(ctx context.Context, i int, p scenario.Plant, left time.Duration) error {
	at := time.Duration(float64(r.c.span) * p.At).Round(100 * time.Millisecond)
	if p.Kind == scenario.Cotenant {
		ch := r.cotenants[i]
		fmt.Fprintf(r.say, "  +%v %s (PID %d) starts using the same GPU\n", at, p.Comm, ch.pid())
		return ch.release()
	}
	ch, err := startChild(ctx, p.Comm, r.k.hog(p.Comm, r.cpus.train, left+time.Second), nil, false, 10*time.Second)
	if err != nil {
		return err
	}
	r.hogs = append(r.hogs, ch)
	fmt.Fprintf(r.say, "  +%v %s (PID %d) starts burning CPU %d, the training loop's\n", at, p.Comm, ch.pid(), r.cpus.train)
	return nil
}

// cleanup stops whatever is still running: after a failure, or the hogs
// after a run.
func (r *realRun) cleanup() {
	if r.sockDir != "" {
		defer os.RemoveAll(r.sockDir)
	}
	for _, ch := range r.hogs {
		ch.stop()
	}
	for _, ch := range r.cotenants {
		ch.stop()
	}
	if r.train != nil {
		r.train.stop()
	}
	if r.tr != nil {
		// SIGINT, as for a run that ended: trace closes the session and
		// keeps what it recorded (a -d database outlives the demo).
		r.tr.stop()
	}
	if r.memory != nil {
		// After the loop is gone: swapoff has nothing of it to read back.
		if err := r.memory.close(); err != nil {
			fmt.Fprintf(r.say, "ingero demo: cleaning up the contention scenario: %v\n", err)
		}
		r.memory = nil
	}
}
