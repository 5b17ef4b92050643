package event

// The records below travel beside events in both the store and the
// stream: what a session was, what the machine was doing, which stacks the
// events point at, and what the causal engine concluded.

// Session describes one run of ingero trace.
type Session struct {
	ID          string // unique per run: "<node>:<start unix ns>"
	Node        string
	Host        string
	StartNs     int64
	StopNs      int64 // 0 while running
	Kernel      string
	GPUModel    string // "" when no NVML
	GPUDriver   string
	CUDAVersion string
	Version     string            // ingero version that recorded it
	Flags       map[string]string // the flags trace ran with
	PIDFilter   []uint32
	// ClockMonoNs is CLOCK_MONOTONIC at StartNs, so kernel timestamps can
	// be mapped to wall time by anyone holding the recording.
	ClockMonoNs int64
	Stats       SessionStats
}

// SessionStats counts what a session saw and, above all, what it lost.
type SessionStats struct {
	Events      uint64 // events recorded
	KernelDrops uint64 // ring-buffer reserve failures counted in the kernel
	UserDrops   uint64 // events lost in user space (full queues, write errors)
	SampledOut  uint64 // events skipped on purpose by --sampling-rate
}

// Frame is one resolved stack frame: a native one (IP, the module's
// symbol, and the source line when the module has DWARF), or one of an
// interpreter's (Lang set, IP 0, the function with its file and line).
type Frame struct {
	IP     uint64 `json:"ip"`
	Symbol string `json:"sym,omitempty"`
	File   string `json:"file,omitempty"`
	Line   int    `json:"line,omitempty"`
	Module string `json:"mod,omitempty"`
	Lang   string `json:"lang,omitempty"`
}

// LangPython marks a frame the CPython walker read.
const LangPython = "python"

// Stack is a deduplicated call stack; events refer to it by ID, which is a
// hash of its frames so the same stack on two nodes gets the same ID.
type Stack struct {
	ID     uint64
	Frames []Frame
}

// Snapshot is the host's state at one instant, sampled from /proc.
type Snapshot struct {
	TimeNs     int64
	Node       string
	CPUPct     float64
	MemPct     float64
	MemAvailMB int64
	SwapUsedMB int64
	Load1      float64
	// GPUs is each device's utilization (NVML), when the host has NVML.
	GPUs []GPUUtil
}

// GPUUtil is one device's busy share over NVML's last sample period, in
// percent; -1 where NVML would not say.
type GPUUtil struct {
	GPU     int32
	UtilPct float64 // time a kernel was running
	MemPct  float64 // time device memory was read or written
	// Procs is each process's share, where the driver accounts per process.
	Procs []GPUProcUtil
}

// GPUProcUtil is one process's share of a device, in percent.
type GPUProcUtil struct {
	PID    uint32
	SMPct  float64
	MemPct float64
}

// ProcessName records that a PID was seen with a name.
type ProcessName struct {
	Node    string
	PID     uint32
	Comm    string
	Cmdline string
	FirstNs int64
	LastNs  int64
}

// Severity ranks causal chains.
type Severity uint8

// Severities, lowest first so that comparisons order them.
const (
	SeverityLow Severity = iota + 1
	SeverityMedium
	SeverityHigh
)

func (s Severity) String() string {
	switch s {
	case SeverityHigh:
		return "HIGH"
	case SeverityMedium:
		return "MEDIUM"
	case SeverityLow:
		return "LOW"
	}
	return "UNKNOWN"
}

// ParseSeverity is the inverse of Severity.String.
func ParseSeverity(s string) (Severity, bool) {
	for _, v := range []Severity{SeverityLow, SeverityMedium, SeverityHigh} {
		if v.String() == s {
			return v, true
		}
	}
	return 0, false
}

// TimelineEntry is one step of a causal chain's story.
type TimelineEntry struct {
	TimeNs int64  `json:"timestamp_ns"`
	Layer  string `json:"layer"` // SYSTEM, HOST, CUDA, DRIVER…
	Detail string `json:"detail"`
}

// Chain is one causal chain: a symptom, its cause and the fix.
type Chain struct {
	ID         string // stable per finding: "<node>:<rule>:<op>:<pid>"
	Node       string
	DetectedNs int64
	Severity   Severity
	Rule       string // the rule that fired, such as "cpu-preemption"
	Op         string // the affected op, "" when not op-specific
	PID        uint32 // the affected process, 0 for host-wide findings
	Summary    string
	RootCause  string
	Fix        string
	Timeline   []TimelineEntry
	Evidence   map[string]any // numbers behind the finding, for --json
}

// Annotation is an external label joined onto events by time (and PID).
type Annotation struct {
	TimeNs int64
	PID    uint32 // 0 means trace-wide
	// Node is the node whose events it labels; "" in recordings made
	// before annotations carried one (schema v1).
	Node      string
	SpanStart int64 // 0 for an instant
	SpanEnd   int64
	Labels    map[string]string
	// Sender is the process that wrote it over trace's socket, as the
	// kernel reported it (SO_PEERCRED); nil for annotations written
	// otherwise (by hand, or before schema v4).
	Sender *Sender
}

// Sender is who wrote an annotation. The kernel vouches for PID, UID and
// GID; StartTicks (field 22 of /proc/PID/stat, clock ticks after boot)
// tells the process from a later one that reuses its PID.
type Sender struct {
	PID        uint32
	UID        uint32
	GID        uint32
	StartTicks uint64
}
