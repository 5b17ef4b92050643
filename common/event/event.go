// Package event is the one in-memory shape of a traced event. Every
// binary speaks it: trace produces it, the stream codec and the store
// persist it, and the read-only commands analyse it.
package event

import "time"

// Event is one traced call or host occurrence. Fields hold integers so
// that batches encode compactly; strings are shared, never per-event
// allocations, on the hot path.
type Event struct {
	// TimeNs is the wall-clock start of the event, in Unix nanoseconds.
	TimeNs int64
	PID    uint32 // thread-group id (what users call the PID)
	TID    uint32
	Comm   string // task name of PID/TID as the kernel reports it
	Source Source
	Op     Op
	// DurNs is the call's duration (return minus entry). For entry-only
	// probes it is 0; for sched_switch it is the off-CPU time.
	DurNs int64
	// Args carry op-specific values; docs/events.md lists them per op.
	Args [4]uint64
	// Ret is the call's return code (cudaError_t / CUresult); 0 is success.
	Ret int32
	// StackID is the hash of a row in the stacks table, 0 when none.
	StackID uint64
	// Node names the host that recorded the event (set with --node).
	Node     string
	CgroupID uint64
	// GPU is the device ordinal, or -1 when the probe cannot tell.
	GPU int32
	// PeerPID/PeerComm name the other task of a host event: the task that
	// took the CPU on sched_switch, the waker on sched_wakeup, the child on
	// fork, the victim on OOM. Zero and empty otherwise.
	PeerPID  uint32
	PeerComm string
}

// Time returns TimeNs as a time.Time.
func (e *Event) Time() time.Time { return time.Unix(0, e.TimeNs) }

// Duration returns DurNs as a time.Duration.
func (e *Event) Duration() time.Duration { return time.Duration(e.DurNs) }

// OpName is the registered name of the event's op, such as "cudaMalloc".
func (e *Event) OpName() string { return OpName(e.Source, e.Op) }

// Key identifies the op of an event across sources.
type Key struct {
	Source Source
	Op     Op
}

// Key returns the (source, op) pair of the event.
func (e *Event) Key() Key { return Key{e.Source, e.Op} }
