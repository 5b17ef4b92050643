package standin

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"
)

// Counts is the workload's own account of one run: the JSON line it prints
// on exit. Function names are the exported ones ("cudaMalloc",
// "cuMemAlloc_v2"). Runtime calls and direct driver calls are counted apart:
// a driver call the runtime made on the workload's behalf is not in Calls.
type Counts struct {
	PID         int               `json:"pid"`
	TIDs        []int             `json:"tids"`       // threads that made a counted call
	Pattern     string            `json:"pattern"`    // the --pattern name
	Iterations  uint64            `json:"iterations"` // pattern runs, summed over threads
	ElapsedNs   uint64            `json:"elapsed_ns"` // from the start signal to the end
	RuntimeOnly bool              `json:"runtime_only"`
	Calls       map[string]uint64 `json:"calls"`         // calls after the start signal
	Errors      map[string]uint64 `json:"errors"`        // of Calls, those that returned nonzero
	BusyNs      map[string]uint64 `json:"busy_ns"`       // time inside each function, measured around the call
	CPUNs       map[string]uint64 `json:"cpu_ns"`        // of BusyNs, the time on a CPU; only with CPUTimeEnv=1
	Bytes       map[string]uint64 `json:"bytes"`         // bytes allocated or copied by successful calls
	BytesByKind map[string]uint64 `json:"bytes_by_kind"` // "cudaMemcpy:HostToDevice": runtime copies by cudaMemcpyKind
	SetupCalls  map[string]uint64 `json:"setup_calls"`   // calls before the start signal (cuInit, cudaGetLastError)
}

// CPUTimeEnv=1 in the workload's environment makes it count CPUNs. Off,
// the workload reads no CPU clock: that clock is a system call, which
// moves the thread's preemptions to just after its calls (see workload.h),
// so only tests that compare the two clocks turn it on.
const CPUTimeEnv = "STANDIN_CPU_TIME"

// ParseCounts parses the workload's JSON line.
func ParseCounts(line []byte) (*Counts, error) {
	var c Counts
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("parsing workload counts: %w", err)
	}
	if c.PID <= 0 || c.Calls == nil {
		return nil, errors.New("parsing workload counts: no pid or no calls: not a workload line")
	}
	for _, m := range []*map[string]uint64{&c.Errors, &c.BusyNs, &c.CPUNs, &c.Bytes, &c.BytesByKind, &c.SetupCalls} {
		if *m == nil {
			*m = map[string]uint64{}
		}
	}
	return &c, nil
}

// Busy is the total time the workload measured inside fn.
func (c *Counts) Busy(fn string) time.Duration { return time.Duration(c.BusyNs[fn]) }

// MeanCPU is the CPU time the thread spent inside fn, divided by the
// number of calls, or 0 without calls. The stand-ins spin rather than
// sleep, so it is MeanBusy less the time the thread was preempted: what a
// loaded machine leaves unchanged.
func (c *Counts) MeanCPU(fn string) time.Duration {
	if c.Calls[fn] == 0 {
		return 0
	}
	return time.Duration(c.CPUNs[fn] / c.Calls[fn])
}

// MeanBusy is Busy divided by the number of calls, or 0 without calls.
func (c *Counts) MeanBusy(fn string) time.Duration {
	if c.Calls[fn] == 0 {
		return 0
	}
	return time.Duration(c.BusyNs[fn] / c.Calls[fn])
}

// DriverStats is what the stand-in driver received, written at exit to the
// file named by STANDIN_DRIVER_STATS: calls per exported function, split by
// the return address each call found on entry. Runtime init shows up as
// cuInit, cuGetProcAddress_v2 and cuGetExportTable under Runtime.
//
// A uretprobe on a driver function swaps the return address for the
// kernel's trampoline before the function body runs, so while any tracer
// has return probes on the same library file, the calls it traps land in
// Unknown. The sum of the three is always the number of calls.
type DriverStats struct {
	PID     int               `json:"pid"`
	Runtime map[string]uint64 `json:"runtime"` // returning into libcudart
	Direct  map[string]uint64 `json:"direct"`  // returning into another loaded object
	Unknown map[string]uint64 `json:"unknown"` // returning into no loaded object
}

// Total is the number of calls fn received.
func (s *DriverStats) Total(fn string) uint64 { return s.Runtime[fn] + s.Direct[fn] + s.Unknown[fn] }

// ReadDriverStats reads a STANDIN_DRIVER_STATS file.
func ReadDriverStats(path string) (*DriverStats, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading driver stats: %w", err)
	}
	var s DriverStats
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("parsing driver stats %s: %w", path, err)
	}
	if s.Runtime == nil || s.Direct == nil || s.Unknown == nil {
		return nil, fmt.Errorf("parsing driver stats %s: missing runtime, direct or unknown", path)
	}
	return &s, nil
}
