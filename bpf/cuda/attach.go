package cuda

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"github.com/cilium/ebpf/link"
)

type libKind uint8

const (
	libRuntime libKind = iota
	libDriver
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
// warning per missing function and an error only when nothing could be
// attached or the file is unusable. A file already attached is skipped.
func (t *Tracer) AttachRuntime(path string) ([]error, error) {
	return t.attachLibrary(path, libRuntime, runtimeProbes)
}

// AttachDriver probes a libcuda file for every process, like AttachRuntime.
func (t *Tracer) AttachDriver(path string) ([]error, error) {
	return t.attachLibrary(path, libDriver, driverProbes)
}

func (t *Tracer) attachLibrary(path string, lk libKind, probes []probe) ([]error, error) {
	id, err := idOf(path)
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, done := t.attached[id]; done {
		return nil, nil
	}
	ex, err := link.OpenExecutable(path)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	var warnings []error
	var links []link.Link
	for _, p := range probes {
		if p.kind == kindRuntimeLaunch && !t.opts.RuntimeLaunches {
			continue // attached per process, see AddProcess
		}
		ls, err := t.attachProbe(ex, p, 0, t.opts.ReturnProbes == ReturnSystemWide)
		var missing *MissingSymbol
		switch {
		case errors.As(err, &missing):
			missing.Library = path
			warnings = append(warnings, missing)
		case err != nil:
			closeAll(links)
			return warnings, fmt.Errorf("attaching %s in %s: %w", p.symbol, path, err)
		}
		links = append(links, ls...)
	}
	if len(links) == 0 {
		return warnings, fmt.Errorf("attaching %s: none of its CUDA functions were found", path)
	}
	t.links = append(t.links, links...)
	t.attached[id] = path
	t.libs[path] = lk
	return warnings, nil
}

// attachProbe attaches one function, the return half first so that no
// call is entered without a return probe to end it. pid 0 means every
// process.
func (t *Tracer) attachProbe(ex *link.Executable, p probe, pid int, withReturn bool) ([]link.Link, error) {
	opts := &link.UprobeOptions{PID: pid}
	var links []link.Link
	if withReturn && p.needsReturn(t.opts.LaunchLatency) {
		l, err := ex.Uretprobe(p.symbol, t.coll.Programs[cudaProgCallReturn], opts)
		if err != nil {
			return nil, symbolErr(p, err)
		}
		links = append(links, l)
	}
	l, err := ex.Uprobe(p.symbol, t.coll.Programs[p.prog], opts)
	if err != nil {
		closeAll(links)
		return nil, symbolErr(p, err)
	}
	return append(links, l), nil
}

// attachReturns attaches only the return halves, per process.
func (t *Tracer) attachReturns(ex *link.Executable, probes []probe, pid int) ([]link.Link, error) {
	var links []link.Link
	for _, p := range probes {
		if p.kind == kindRuntimeLaunch || !p.needsReturn(t.opts.LaunchLatency) {
			continue
		}
		l, err := ex.Uretprobe(p.symbol, t.coll.Programs[cudaProgCallReturn], &link.UprobeOptions{PID: pid})
		if errors.Is(err, link.ErrNoSymbol) {
			continue
		}
		if err != nil {
			closeAll(links)
			return nil, fmt.Errorf("attaching return probe %s for pid %d: %w", p.symbol, pid, err)
		}
		links = append(links, l)
	}
	return links, nil
}

func symbolErr(p probe, err error) error {
	if errors.Is(err, link.ErrNoSymbol) {
		return &MissingSymbol{Symbol: p.symbol, Optional: p.optional}
	}
	return err
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

func closeAll(links []link.Link) {
	for _, l := range links {
		l.Close()
	}
}
