package trace

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"ingero.dev/bpf/cuda"
	"ingero.dev/bpf/seccomp"
	"ingero.dev/bpf/shared"
	"ingero.dev/common/cudalib"
	"ingero.dev/common/tui"
)

// targets finds the processes to trace and keeps the probes in step with
// them: a scan of /proc twice a second (about 1.5 ms each, so a process
// that starts later is traced well within a second), plus an immediate look at every fork and exec
// the host probes report.
type targets struct {
	c       *config
	cp      *capture
	warn    io.Writer
	select_ func(*cudalib.Process) bool
	scope   string // for the startup line: "processes of alice", …
	status  *status

	mu       sync.Mutex
	traced   map[uint32]*traced
	attached map[cudalib.FileID]bool
	libsOK   map[string]bool // --cuda-lib files, by path; nil means discover
	nudge    chan struct{}
}

type traced struct {
	comm string
	libs string // fingerprint of the mapped CUDA files, to notice dlopen
	seen bool
}

func newTargets(c *config, cp *capture, warn io.Writer) *targets {
	t := &targets{c: c, cp: cp, warn: warn, traced: map[uint32]*traced{},
		attached: map[cudalib.FileID]bool{}, nudge: make(chan struct{}, 1)}
	switch sudo := os.Getenv("SUDO_USER"); {
	case len(c.pids) > 0:
		t.scope = "processes " + c.pids.String()
		t.select_ = func(p *cudalib.Process) bool { return slices.Contains(c.pids, uint32(p.PID)) }
	case c.user != "":
		t.scope = "CUDA processes of " + c.user
		t.select_ = cudalib.OwnedBy(c.user)
	case sudo != "" && sudo != "root":
		t.scope = "CUDA processes of " + sudo + " (the user who ran sudo; --user to change)"
		t.select_ = cudalib.OwnedBy(sudo)
	default:
		t.scope = "every CUDA process (run by root without sudo; --user or --pid to narrow)"
		t.select_ = func(*cudalib.Process) bool { return true }
	}
	// trace never traces itself: NVML maps libcuda into this process, and
	// recording its own scheduling and calls would feed back into the load.
	keep, self := t.select_, os.Getpid()
	t.select_ = func(p *cudalib.Process) bool { return p.PID != self && keep(p) }
	if len(c.cudaLibs) > 0 {
		t.libsOK = map[string]bool{}
		for _, p := range c.cudaLibs {
			t.libsOK[p] = true
		}
	}
	return t
}

// checkPIDs fails early when --pid names processes that do not exist.
func (t *targets) checkPIDs() error {
	var missing []string
	for _, pid := range t.c.pids {
		if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); err != nil {
			missing = append(missing, fmt.Sprint(pid))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("--pid %s: no such process (list CUDA processes with 'ingero check')", strings.Join(missing, ","))
	}
	return nil
}

const scanInterval = 500 * time.Millisecond

func (t *targets) loop(ctx context.Context) {
	tick := time.NewTicker(scanInterval)
	defer tick.Stop()
	for {
		t.scan()
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-t.nudge:
		}
	}
}

// poke asks for a scan now: a traced process forked or exec'd.
func (t *targets) poke() {
	select {
	case t.nudge <- struct{}{}:
	default:
	}
}

func (t *targets) scan() {
	snap, err := cudalib.Scan()
	if err != nil {
		fmt.Fprintf(t.warn, "warning: scanning processes: %v\n", err)
		return
	}
	snap = snap.Filter(t.select_)
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, tr := range t.traced {
		tr.seen = false
	}
	for _, p := range snap.Processes {
		t.follow(p)
	}
	// --pid targets without CUDA are still traced for host events, so a
	// process that loads CUDA later is caught the moment it does.
	for _, pid := range t.c.pids {
		if tr := t.traced[pid]; tr == nil {
			if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); err == nil {
				t.track(pid, "", "")
			}
		} else {
			tr.seen = true
		}
	}
	for pid, tr := range t.traced {
		if !tr.seen {
			if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); err != nil {
				delete(t.traced, pid)
			}
		}
	}
}

func (t *targets) follow(p *cudalib.Process) {
	var libs []*cudalib.Library
	for _, l := range p.Libraries {
		if t.libsOK == nil || t.libsOK[l.Path] || t.libsOK[l.MappedPath] {
			libs = append(libs, l)
		}
	}
	if len(libs) == 0 {
		return
	}
	fp := fingerprint(libs)
	pid := uint32(p.PID)
	if tr := t.traced[pid]; tr != nil && tr.libs == fp {
		tr.seen = true
		return
	}
	for _, l := range libs {
		t.attach(l)
	}
	t.track(pid, p.Comm, fp)
}

func fingerprint(libs []*cudalib.Library) string {
	var b strings.Builder
	for _, l := range libs {
		fmt.Fprintf(&b, "%d:%d;", l.Dev, l.Inode)
	}
	return b.String()
}

// attach probes a library file once, whichever process maps it.
func (t *targets) attach(l *cudalib.Library) {
	if t.attached[l.ID()] {
		return
	}
	t.attached[l.ID()] = true
	if l.Path == "" {
		fmt.Fprintf(t.warn, "warning: cannot open %s (mapped by PID %v): its calls are not traced\n", l.MappedPath, l.PIDs)
		return
	}
	var warnings []error
	var err error
	switch l.Kind {
	case cudalib.Runtime:
		warnings, err = t.cp.cuda.AttachRuntime(l.Path)
	case cudalib.Driver:
		warnings, err = t.cp.cuda.AttachDriver(l.Path)
	case cudalib.NCCL:
		warnings, err = t.cp.nccl.Attach(l.Path)
	default:
		return
	}
	if err != nil {
		fmt.Fprintf(t.warn, "warning: probing %s: %v\n", l.MappedPath, err)
		return
	}
	var missing []string
	for _, w := range warnings {
		if ms, ok := w.(*cuda.MissingSymbol); ok && ms.Optional {
			continue
		}
		missing = append(missing, w.Error())
	}
	for _, m := range missing {
		fmt.Fprintf(t.warn, "warning: %s; tracing goes on without it\n", m)
	}
	fmt.Fprintf(t.warn, "probing %s\n", l.MappedPath)
	t.status.library(l.MappedPath)
}

// track starts (or refreshes) tracing pid. A process without CUDA
// libraries is traced for host events only.
func (t *targets) track(pid uint32, comm, fp string) {
	tr := t.traced[pid]
	if tr == nil {
		tr = &traced{}
		t.traced[pid] = tr
	}
	tr.comm, tr.libs, tr.seen = comm, fp, true
	if fp == "" {
		if err := t.cp.maps.Track(pid, shared.Target{}); err != nil {
			fmt.Fprintf(t.warn, "warning: tracing PID %d: %v\n", pid, err)
			return
		}
		t.status.pid(pid, comm, false, false)
		return
	}
	p, err := cuda.Describe(int(pid))
	if err != nil {
		fmt.Fprintf(t.warn, "warning: reading PID %d: %v\n", pid, err)
		return
	}
	p.ReturnProbes = true
	if t.cp.perProc {
		v := seccomp.Process(int(pid))
		p.ReturnProbes = v.Safe
		if !v.Safe {
			fmt.Fprintf(t.warn, "warning: PID %d: %s; its calls are recorded at entry only (no durations)\n", pid, v.Reason)
		}
	}
	if err := t.cp.cuda.AddProcess(p); err != nil {
		fmt.Fprintf(t.warn, "warning: tracing PID %d: %v\n", pid, err)
		return
	}
	fmt.Fprintf(t.warn, "tracing PID %d (%s)\n", pid, comm)
	t.status.pid(pid, comm, true, p.ReturnProbes)
}

// list is the traced processes for the live view, by PID.
func (t *targets) list() []tui.Target {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]tui.Target, 0, len(t.traced))
	for pid, tr := range t.traced {
		out = append(out, tui.Target{PID: pid, Name: tr.comm})
	}
	slices.SortFunc(out, func(a, b tui.Target) int { return int(a.PID) - int(b.PID) })
	return out
}
