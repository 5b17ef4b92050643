package export

// The timeline is built once (timeline.go) and written by one of two sinks:
// the native Perfetto protobuf or Chrome's JSON Trace Event Format.

type trackKind uint8

const (
	trackProcess trackKind = iota + 1 // a process, or a node's own track
	trackThread
	trackCounter
	trackPlain // a named track under a process (off-CPU, chains)
)

// track is one timeline row. pid and tid are the numbers shown (see
// tracks.go for how nodes keep them apart).
type track struct {
	uuid   uint64
	parent uint64
	kind   trackKind
	pid    uint32
	tid    uint32
	name   string
	unit   string // counters
	// sortIndex orders a process's rows in the JSON format.
	sortIndex int
	// offCPU marks a thread's off-CPU row, which JSON keys apart from the
	// thread's own row.
	offCPU bool
}

type argKind uint8

const (
	argString argKind = iota
	argInt
	argUint
	argFloat
	argBool
	argID // an event ID: s is the node, i the sequence number
)

// arg is one named value shown with a slice (a debug annotation).
type arg struct {
	name string
	kind argKind
	s    string
	i    int64
	u    uint64
	f    float64
	iid  uint64 // Perfetto's interning ID, set by its sink
}

func strArg(name, v string) arg        { return arg{name: name, s: v} }
func idArg(node string, seq int64) arg { return arg{name: "id", kind: argID, s: node, i: seq} }
func intArg(name string, v int64) arg  { return arg{name: name, kind: argInt, i: v} }
func uintArg(name string, v uint64) arg {
	return arg{name: name, kind: argUint, u: v}
}

// slice is a call or interval (dur > 0) or an instant (dur 0).
type slice struct {
	track   *track
	ts, dur int64
	name    string
	cat     string
	args    []arg
	// flowOut starts an arrow at this slice; flowIn ends arrows here.
	flowOut uint64
	flowIn  []uint64
	// global marks an instant that concerns the whole node (chains).
	global bool
}

// sink writes a timeline in one format. Tracks are declared before their
// first use.
type sink interface {
	track(*track) error
	slice(*slice) error
	counter(t *track, ts int64, v float64) error
	finish() error
	counts() *sinkStats
}

// sinkStats counts what was written, for the summary line and the tests.
type sinkStats struct {
	tracks, slices, instants, counters, flows int64
}
