package trace

import (
	"ingero.dev/bpf/blockio"
	"ingero.dev/bpf/cuda"
	"ingero.dev/bpf/host"
	"ingero.dev/bpf/memory"
	"ingero.dev/bpf/nccl"
	netprobes "ingero.dev/bpf/net"
	"ingero.dev/bpf/ring"
	"ingero.dev/common/event"
)

// family is a loaded probe family as capture drives it: every family in
// bpf/ has these methods.
type family interface {
	Start(sink func([]event.Event))
	Stats() ring.Stats // Undecodable counts its user-space drops
	Close() error
}

// attacher is a family whose kernel probes attach at load (tracepoints);
// library families attach later, as discovery finds their targets.
type attacher interface {
	Attach() (warnings []error, err error)
}

// familySpec registers one family. A new family is a package under bpf/
// plus one line here; capture loads them in this order, unwinds the
// loaded ones when a later one fails, and starts, counts and closes all
// of them alike.
type familySpec struct {
	name  string // as errors say it: "loading CUDA probes"
	label string // as metrics label it (docs/metrics.md)
	load  func(cp *capture, c *config) (family, error)
}

var families = []familySpec{
	{"CUDA", "cuda", loadCUDA},
	{"host", "host", loadHost},
	{"block IO", "blockio", loadBlockIO},
	{"memory", "memory", loadMemory},
	{"NCCL", "nccl", loadNCCL},
	{"network", "net", loadNet},
}

// loadCUDA keeps the tracer on cp too: discovery attaches libraries and
// processes to it.
func loadCUDA(cp *capture, c *config) (family, error) {
	returns := cuda.ReturnSystemWide
	if cp.perProc {
		returns = cuda.ReturnPerProcess
	}
	opts := cuda.Options{
		RingBytes: int(c.ringbufSize), LaunchLatency: c.launchLatency,
		ReturnProbes: returns, Clock: cp.clock,
	}
	if cp.stacks != nil {
		opts.Stacks = cp.stacks // a nil *Resolver in the interface would not read as off
	}
	t, err := cuda.Load(cp.maps, opts)
	cp.cuda = t
	return t, err
}

func loadHost(cp *capture, c *config) (family, error) {
	return host.Load(cp.maps, host.Options{RingBytes: int(c.ringbufSize), Clock: cp.clock})
}

// loadBlockIO keeps the tracer on cp too, for its missed completions.
func loadBlockIO(cp *capture, c *config) (family, error) {
	t, err := blockio.Load(cp.maps, blockio.Options{RingBytes: int(c.ringbufSize), Clock: cp.clock})
	cp.io = t
	return t, err
}

func loadMemory(cp *capture, c *config) (family, error) {
	return memory.Load(cp.maps, memory.Options{Clock: cp.clock})
}

// loadNCCL keeps the tracer on cp: discovery attaches libnccl files to it.
// Return probes (durations) go where the CUDA family's go system-wide.
func loadNCCL(cp *capture, c *config) (family, error) {
	t, err := nccl.Load(cp.maps, nccl.Options{Returns: !cp.perProc, Clock: cp.clock})
	cp.nccl = t
	return t, err
}

func loadNet(cp *capture, c *config) (family, error) {
	return netprobes.Load(cp.maps, netprobes.Options{RingBytes: int(c.ringbufSize), Clock: cp.clock})
}
