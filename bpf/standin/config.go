package standin

import (
	"fmt"
	"math"
	"math/bits"
	"strings"
	"time"
)

// Config is the stand-ins' timing and device model. The defaults are
// compiled into the libraries by Build; Env overrides them for one process.
// Every call busy-waits (spins on CLOCK_MONOTONIC, never sleeps).
type Config struct {
	Launch            time.Duration // STANDIN_LAUNCH_NS: a kernel launch, in the driver
	Alloc             time.Duration // STANDIN_ALLOC_NS: a device allocation, fixed part
	AllocPerMiB       time.Duration // STANDIN_ALLOC_NS_PER_MIB: a device or pinned allocation, per MiB
	Free              time.Duration // STANDIN_FREE_NS: a device free
	Memcpy            time.Duration // STANDIN_MEMCPY_NS: a copy, fixed part
	MemcpyBytesPerSec uint64        // STANDIN_MEMCPY_BYTES_PER_SEC: copy bandwidth
	AsyncEnqueue      time.Duration // STANDIN_ASYNC_NS: the call that queues an async copy
	Sync              time.Duration // STANDIN_SYNC_NS: a sync, after the awaited work is done
	Kernel            time.Duration // STANDIN_KERNEL_NS: a kernel's device time, fixed part
	KernelPerBlock    time.Duration // STANDIN_KERNEL_BLOCK_NS: a kernel's device time, per block of the grid
	Runtime           time.Duration // STANDIN_RUNTIME_NS: the runtime's own time around its driver call
	HostAlloc         time.Duration // STANDIN_HOST_ALLOC_NS: cudaMallocHost, fixed part
	HostFree          time.Duration // STANDIN_HOST_FREE_NS: cudaFreeHost
	Capture           time.Duration // STANDIN_CAPTURE_NS: begin or end of a stream capture
	GraphInstantiate  time.Duration // STANDIN_GRAPH_NS: cudaGraphInstantiate, fixed part
	GraphPerNode      time.Duration // STANDIN_GRAPH_NODE_NS: cudaGraphInstantiate, per node
	DeviceMemory      uint64        // STANDIN_OOM_AFTER_BYTES: live device bytes beyond which allocations fail
	RuntimeOnly       bool          // STANDIN_RUNTIME_ONLY: the runtime calls no exported driver function

	// DeviceFile (STANDIN_DEVICE_FILE), when set, names a file that makes
	// one simulated GPU of every process naming it: each piece of queued
	// work (a kernel, an async copy) starts once the stream's earlier work
	// and everything any of them queued before is done, and a synchronous
	// copy waits for all of it too. A second process launching long kernels
	// thus stretches the first one's syncs, as a second job on a real GPU
	// does. The driver creates the file (mode 0666, so other users' processes
	// can join) or joins an existing one, and refuses a file that is not one
	// or was written before the last boot. Empty keeps each process's
	// device its own. Not compiled in: a path has no default.
	DeviceFile string
}

// DefaultConfig is what the libraries do when no STANDIN_* variable is set:
// magnitudes seen on an H100 with PCIe Gen5 and CUDA 12.
func DefaultConfig() Config {
	return Config{
		Launch:            3 * time.Microsecond,
		Alloc:             20 * time.Microsecond,
		AllocPerMiB:       time.Microsecond,
		Free:              10 * time.Microsecond,
		Memcpy:            8 * time.Microsecond,
		MemcpyBytesPerSec: 12e9,
		AsyncEnqueue:      3 * time.Microsecond,
		Sync:              time.Microsecond,
		Kernel:            2 * time.Microsecond,
		KernelPerBlock:    100 * time.Nanosecond,
		Runtime:           time.Microsecond,
		HostAlloc:         50 * time.Microsecond,
		HostFree:          20 * time.Microsecond,
		Capture:           2 * time.Microsecond,
		GraphInstantiate:  20 * time.Microsecond,
		GraphPerNode:      time.Microsecond,
		DeviceMemory:      80 << 30,
	}
}

// KernelTime is the device time of a kernel with a grid of blocks blocks.
func (c Config) KernelTime(blocks uint64) time.Duration {
	return c.Kernel + time.Duration(blocks)*c.KernelPerBlock
}

// CopyTime is the time of a synchronous copy of n bytes once the device is
// idle, and the device time of an asynchronous one.
func (c Config) CopyTime(n uint64) time.Duration {
	bps := max(c.MemcpyBytesPerSec, 1)
	hi, lo := bits.Mul64(n, uint64(time.Second))
	if hi >= bps {
		return math.MaxInt64
	}
	ns, _ := bits.Div64(hi, lo, bps)
	return c.Memcpy + time.Duration(ns)
}

// AllocTime is the time of a successful device allocation of n bytes.
func (c Config) AllocTime(n uint64) time.Duration {
	hi, lo := bits.Mul64(n, uint64(max(c.AllocPerMiB, 0)))
	return c.Alloc + time.Duration(hi<<44|lo>>20)
}

type param struct {
	field, env string
	value      uint64
}

func (c Config) params() []param {
	ns := func(d time.Duration) uint64 { return uint64(max(d, 0)) }
	runtimeOnly := uint64(0)
	if c.RuntimeOnly {
		runtimeOnly = 1
	}
	return []param{
		{"launch_ns", "STANDIN_LAUNCH_NS", ns(c.Launch)},
		{"alloc_ns", "STANDIN_ALLOC_NS", ns(c.Alloc)},
		{"alloc_ns_per_mib", "STANDIN_ALLOC_NS_PER_MIB", ns(c.AllocPerMiB)},
		{"free_ns", "STANDIN_FREE_NS", ns(c.Free)},
		{"memcpy_ns", "STANDIN_MEMCPY_NS", ns(c.Memcpy)},
		{"memcpy_bytes_per_sec", "STANDIN_MEMCPY_BYTES_PER_SEC", c.MemcpyBytesPerSec},
		{"async_ns", "STANDIN_ASYNC_NS", ns(c.AsyncEnqueue)},
		{"sync_ns", "STANDIN_SYNC_NS", ns(c.Sync)},
		{"kernel_ns", "STANDIN_KERNEL_NS", ns(c.Kernel)},
		{"kernel_block_ns", "STANDIN_KERNEL_BLOCK_NS", ns(c.KernelPerBlock)},
		{"runtime_ns", "STANDIN_RUNTIME_NS", ns(c.Runtime)},
		{"host_alloc_ns", "STANDIN_HOST_ALLOC_NS", ns(c.HostAlloc)},
		{"host_free_ns", "STANDIN_HOST_FREE_NS", ns(c.HostFree)},
		{"capture_ns", "STANDIN_CAPTURE_NS", ns(c.Capture)},
		{"graph_ns", "STANDIN_GRAPH_NS", ns(c.GraphInstantiate)},
		{"graph_node_ns", "STANDIN_GRAPH_NODE_NS", ns(c.GraphPerNode)},
		{"oom_after_bytes", "STANDIN_OOM_AFTER_BYTES", c.DeviceMemory},
		{"runtime_only", "STANDIN_RUNTIME_ONLY", runtimeOnly},
	}
}

// DeviceFileEnv is the variable that names Config.DeviceFile.
const DeviceFileEnv = "STANDIN_DEVICE_FILE"

// Env returns every numeric STANDIN_* variable, set to c, for exec.Cmd.Env,
// and STANDIN_DEVICE_FILE when c.DeviceFile is set.
func (c Config) Env() []string {
	var env []string
	for _, p := range c.params() {
		env = append(env, fmt.Sprintf("%s=%d", p.env, p.value))
	}
	if c.DeviceFile != "" {
		env = append(env, DeviceFileEnv+"="+c.DeviceFile)
	}
	return env
}

// paramsHeader is csrc's params.h: the variables and their compiled-in
// defaults, as an X-macro, so the C and Go defaults cannot drift.
func paramsHeader() []byte {
	var b strings.Builder
	b.WriteString("/* Written by standin.Build from DefaultConfig. */\n#define STANDIN_PARAMS(X)")
	for _, p := range DefaultConfig().params() {
		fmt.Fprintf(&b, " \\\n\tX(%s, %q, %dULL)", p.field, p.env, p.value)
	}
	b.WriteString("\n")
	return []byte(b.String())
}
