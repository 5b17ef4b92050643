package cuda

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"

	"github.com/cilium/ebpf/link"

	"ingero.dev/common/cudalib"
)

// fileID names a library file whatever path reaches it, so that each file
// is probed once.
type fileID struct{ dev, ino uint64 }

// MissingSymbol is a warning: the library lacks a function, which is then
// not traced. Optional ones are per-thread-stream variants that many
// builds lack.
type MissingSymbol struct {
	Library  string
	Symbol   string
	Optional bool
}

func (m *MissingSymbol) Error() string {
	return fmt.Sprintf("%s: no symbol %s; it is not traced", filepath.Base(m.Library), m.Symbol)
}

// AttachRuntime probes a libcudart file for every process. It returns a
// warning per missing function and an error only when the file is unusable
// or has none of the functions. A file already attached is skipped.
func (t *Tracer) AttachRuntime(path string) ([]error, error) {
	probes := runtimeSet()
	if t.opts.RuntimeLaunches {
		probes = append(append([]probe(nil), probes...), runtimeLaunchProbes...)
	}
	return t.attachLibrary(path, probes)
}

// AttachDriver probes a libcuda file for every process, like AttachRuntime.
func (t *Tracer) AttachDriver(path string) ([]error, error) {
	return t.attachLibrary(path, driverSet())
}

func (t *Tracer) attachLibrary(path string, probes []probe) ([]error, error) {
	id, err := idOf(path)
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, done := t.attached[id]; done {
		return nil, nil
	}
	links, warnings, err := t.attachSet(path, probes, 0, t.opts.ReturnProbes == ReturnSystemWide, true)
	if err != nil {
		return warnings, err
	}
	if len(links) == 0 {
		return warnings, fmt.Errorf("attaching %s: none of its CUDA functions were found", path)
	}
	t.links = append(t.links, links...)
	t.attached[id] = path
	return warnings, nil
}

// attachSet attaches the functions of probes that path defines, for one
// process (pid) or all (0): return halves first, so that no call is entered
// without a return probe to end it, then the entries. Missing functions
// come back as warnings.
func (t *Tracer) attachSet(path string, probes []probe, pid uint32, returns, entries bool) ([]link.Link, []error, error) {
	present, warnings, err := resolve(path, probes)
	if err != nil {
		return nil, nil, err
	}
	ex, err := link.OpenExecutable(path)
	if err != nil {
		return nil, warnings, fmt.Errorf("opening %s: %w", path, err)
	}
	var rets []probe
	groups := map[string][]probe{}
	var order []string
	for _, p := range present {
		if returns && p.needsReturn(t.opts.LaunchLatency) {
			rets = append(rets, p)
		}
		if _, ok := groups[p.prog]; !ok {
			order = append(order, p.prog)
		}
		groups[p.prog] = append(groups[p.prog], p)
	}
	var links []link.Link
	if len(rets) > 0 {
		ls, err := t.attachGroup(ex, rets, cudaProgCallReturn, pid, true)
		if err != nil {
			return nil, warnings, fmt.Errorf("attaching return probes in %s: %w", path, err)
		}
		links = append(links, ls...)
	}
	for _, prog := range order {
		if !entries {
			break
		}
		ls, err := t.attachGroup(ex, groups[prog], prog, pid, false)
		if err != nil {
			closeAll(links)
			return nil, warnings, fmt.Errorf("attaching %s in %s: %w", groups[prog][0].symbol, path, err)
		}
		links = append(links, ls...)
	}
	return links, warnings, nil
}

// attachGroup attaches one program to several functions: one uprobe_multi
// link where the kernel has them (one RCU wait to detach them all), one
// perf link per function elsewhere. The cookie tells the program which
// function fired either way.
func (t *Tracer) attachGroup(ex *link.Executable, ps []probe, prog string, pid uint32, ret bool) ([]link.Link, error) {
	p := t.coll.Programs[prog]
	if t.multi {
		syms := make([]string, len(ps))
		cookies := make([]uint64, len(ps))
		for i, pr := range ps {
			syms[i], cookies[i] = pr.symbol, pr.cookie
		}
		opts := &link.UprobeMultiOptions{Cookies: cookies, PID: pid}
		attach := ex.UprobeMulti
		if ret {
			attach = ex.UretprobeMulti
		}
		l, err := attach(syms, p, opts)
		if err != nil {
			return nil, err
		}
		return []link.Link{l}, nil
	}
	var links []link.Link
	for _, pr := range ps {
		opts := &link.UprobeOptions{PID: int(pid), Cookie: pr.cookie}
		attach := ex.Uprobe
		if ret {
			attach = ex.Uretprobe
		}
		l, err := attach(pr.symbol, p, opts)
		if err != nil {
			closeAll(links)
			return nil, err
		}
		links = append(links, l)
	}
	return links, nil
}

// resolve splits probes into those whose function path defines and a
// warning for each of the others.
func resolve(path string, probes []probe) ([]probe, []error, error) {
	names := make([]string, len(probes))
	for i, p := range probes {
		names[i] = p.symbol
	}
	present, _, err := cudalib.Symbols(path, names)
	if err != nil {
		return nil, nil, err
	}
	has := map[string]bool{}
	for _, s := range present {
		has[s] = true
	}
	var out []probe
	var warnings []error
	for _, p := range probes {
		if has[p.symbol] {
			out = append(out, p)
		} else {
			warnings = append(warnings, &MissingSymbol{Library: path, Symbol: p.symbol, Optional: p.optional})
		}
	}
	return out, warnings, nil
}

func idOf(path string) (fileID, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return fileID{}, fmt.Errorf("reading %s: %w", path, err)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fileID{}, fmt.Errorf("reading %s: no device and inode", path)
	}
	return fileID{uint64(st.Dev), st.Ino}, nil
}

// closeAll detaches links concurrently: each uprobe detach waits for an
// RCU grace period, and concurrent waits can share one.
func closeAll(links []link.Link) {
	var wg sync.WaitGroup
	for _, l := range links {
		wg.Go(func() { l.Close() })
	}
	wg.Wait()
}
