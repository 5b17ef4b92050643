package trace

import (
	"errors"
	"fmt"
	"io"
	"sync"

	"ingero.dev/bpf/blockio"
	"ingero.dev/bpf/cuda"
	"ingero.dev/bpf/nccl"
	"ingero.dev/bpf/ring"
	"ingero.dev/bpf/seccomp"
	"ingero.dev/bpf/shared"
	"ingero.dev/bpf/stacks"
	"ingero.dev/bpf/sysreq"
	"ingero.dev/common/event"
)

// capture owns the loaded probe families (families.go) and the maps they
// share.
type capture struct {
	maps    *shared.Maps
	fams    []family // in families' order
	cuda    *cuda.Tracer
	io      *blockio.Tracer
	nccl    *nccl.Tracer // discovery attaches libnccl files to it
	clock   ring.Clock
	stacks  *stacks.Resolver // nil with --stack=false
	perProc bool             // return probes must be attached per process (seccomp)
	closeMu sync.Once
}

// loadCapture checks the host, loads the families and attaches those with
// kernel tracepoints. Libraries attach later, as discovery finds them.
func loadCapture(c *config, warn io.Writer) (*capture, error) {
	if err := sysreq.Prepare(); err != nil {
		return nil, err
	}
	mounted, err := sysreq.EnsureTracefs()
	if err != nil {
		fmt.Fprintf(warn, "warning: %v\n", err)
	} else if mounted {
		fmt.Fprintf(warn, "mounted tracefs at %s\n", sysreq.TracefsPath)
	}
	m, err := shared.New()
	if err != nil {
		return nil, fmt.Errorf("creating probe maps: %w", err)
	}
	cp := &capture{maps: m, clock: ring.NewClock(), perProc: seccomp.Kernel().CheckEach, stacks: c.stacks.resolver()}
	if cp.stacks != nil {
		if w := c.stacks.ptraceWarning(); w != "" {
			fmt.Fprintf(warn, "warning: %s\n", w)
		}
	}
	every := uint32(c.samplingRate)
	if every == 0 {
		every = 1 // adaptive starts by keeping everything
	}
	if err := m.SetSampling(every); err != nil {
		m.Close()
		return nil, fmt.Errorf("setting sampling rate: %w", err)
	}
	for _, spec := range families {
		f, err := spec.load(cp, c)
		if err != nil {
			cp.close()
			return nil, fmt.Errorf("loading %s probes: %w", spec.name, err)
		}
		cp.fams = append(cp.fams, f)
	}
	var warnings []error
	for i, f := range cp.fams {
		a, ok := f.(attacher)
		if !ok {
			continue
		}
		w, err := a.Attach()
		if err != nil {
			cp.close()
			return nil, fmt.Errorf("attaching %s tracepoints: %w", families[i].name, err)
		}
		warnings = append(warnings, w...)
	}
	for _, w := range warnings {
		fmt.Fprintf(warn, "warning: %v\n", w)
	}
	return cp, nil
}

func (cp *capture) start(sink func([]event.Event)) {
	for _, f := range cp.fams {
		f.Start(sink)
	}
}

// stats are the loss counters of every family: kernel ring drops and
// sampled-out records from the shared maps, and records user space could
// not decode.
func (cp *capture) stats() (event.SessionStats, error) {
	var st event.SessionStats
	k, err := cp.maps.Counters()
	if err != nil {
		return st, fmt.Errorf("reading drop counters: %w", err)
	}
	st.KernelDrops = k.TotalDrops()
	st.SampledOut = k.TotalSampled()
	for _, f := range cp.fams {
		st.UserDrops += f.Stats().Undecodable
	}
	return st, nil
}

// undecodable counts each family's records user space could not
// decode, by the family's name as the exporters label it.
func (cp *capture) undecodable() map[string]uint64 {
	out := make(map[string]uint64, len(cp.fams))
	for i, f := range cp.fams {
		out[families[i].label] += f.Stats().Undecodable
	}
	return out
}

// close detaches and drains every family loaded, then frees the maps:
// after it, every record that reached a ring has been delivered to the
// sink.
func (cp *capture) close() error {
	var err error
	cp.closeMu.Do(func() {
		errs := make([]error, 0, len(cp.fams)+1)
		for _, f := range cp.fams {
			errs = append(errs, f.Close())
		}
		err = errors.Join(append(errs, cp.maps.Close())...)
	})
	return err
}

// missedIO counts the block requests whose completion the kernel never
// reported to the probes: lost records of a cause apart from the rings'.
func (cp *capture) missedIO() uint64 {
	n, err := cp.io.Missed()
	if err != nil {
		return 0
	}
	return n
}
