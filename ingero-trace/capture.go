package trace

import (
	"errors"
	"fmt"
	"io"
	"sync"

	"ingero.dev/bpf/blockio"
	"ingero.dev/bpf/cuda"
	"ingero.dev/bpf/host"
	"ingero.dev/bpf/ring"
	"ingero.dev/bpf/seccomp"
	"ingero.dev/bpf/shared"
	"ingero.dev/bpf/sysreq"
	"ingero.dev/common/event"
)

// capture owns the loaded probe families and the maps they share.
type capture struct {
	maps    *shared.Maps
	cuda    *cuda.Tracer
	host    *host.Tracer
	io      *blockio.Tracer
	clock   ring.Clock
	perProc bool // return probes must be attached per process (seccomp)
	closeMu sync.Once
}

// loadCapture checks the host, loads the families and attaches the host
// and block IO tracepoints. Libraries attach later, as discovery finds
// them.
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
	cp := &capture{maps: m, clock: ring.NewClock()}
	kv := seccomp.Kernel()
	cp.perProc = kv.CheckEach
	returns := cuda.ReturnSystemWide
	if kv.CheckEach {
		returns = cuda.ReturnPerProcess
	}
	every := uint32(c.samplingRate)
	if every == 0 {
		every = 1 // adaptive starts by keeping everything
	}
	if err := m.SetSampling(every); err != nil {
		m.Close()
		return nil, fmt.Errorf("setting sampling rate: %w", err)
	}
	cp.cuda, err = cuda.Load(m, cuda.Options{
		RingBytes: int(c.ringbufSize), LaunchLatency: c.launchLatency,
		ReturnProbes: returns, Clock: cp.clock,
	})
	if err != nil {
		m.Close()
		return nil, fmt.Errorf("loading CUDA probes: %w", err)
	}
	hostRing := int(c.ringbufSize)
	cp.host, err = host.Load(m, host.Options{RingBytes: hostRing, Clock: cp.clock})
	if err != nil {
		cp.cuda.Close()
		m.Close()
		return nil, fmt.Errorf("loading host probes: %w", err)
	}
	cp.io, err = blockio.Load(m, blockio.Options{RingBytes: int(c.ringbufSize), Clock: cp.clock})
	if err != nil {
		cp.host.Close()
		cp.cuda.Close()
		m.Close()
		return nil, fmt.Errorf("loading block IO probes: %w", err)
	}
	warnings, err := cp.host.Attach()
	if err != nil {
		cp.close()
		return nil, fmt.Errorf("attaching host tracepoints: %w", err)
	}
	ioWarnings, err := cp.io.Attach()
	if err != nil {
		cp.close()
		return nil, fmt.Errorf("attaching block IO tracepoints: %w", err)
	}
	for _, w := range append(warnings, ioWarnings...) {
		fmt.Fprintf(warn, "warning: %v\n", w)
	}
	return cp, nil
}

func (cp *capture) start(sink func([]event.Event)) {
	cp.cuda.Start(sink)
	cp.host.Start(sink)
	cp.io.Start(sink)
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
	st.UserDrops = cp.cuda.Stats().Undecodable + cp.host.Stats().Undecodable + cp.io.Stats().Undecodable
	return st, nil
}

// close detaches and drains every family: after it, every record that
// reached a ring has been delivered to the sink.
func (cp *capture) close() error {
	var err error
	cp.closeMu.Do(func() {
		err = errors.Join(cp.cuda.Close(), cp.host.Close(), cp.io.Close(), cp.maps.Close())
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
