package event

import "fmt"

// Source is the layer an event comes from. Values are a stable part of the
// store and stream contracts: never renumber, only append.
type Source uint8

// Sources, in the order the contract fixed them.
const (
	SourceCUDA   Source = 1 // CUDA runtime API (libcudart)
	SourceDriver Source = 2 // CUDA driver API (libcuda)
	SourceGraph  Source = 3 // CUDA graph capture and launch (libcudart)
	SourceHost   Source = 4 // scheduler, process lifecycle, memory (tracepoints)
	SourceIO     Source = 5 // block IO
	SourceTCP    Source = 6 // TCP retransmits
	SourceNet    Source = 7 // socket send/recv
	SourceNCCL   Source = 8 // NCCL collectives
	SourceSystem Source = 9 // the tracer itself: drops, sampling changes
)

// Op is an operation within a Source. Values are stable per source.
type Op uint8

// Class groups ops by what they do, so analysis can ask "is this a sync"
// without listing op names.
type Class uint8

// Classes of ops.
const (
	ClassOther Class = iota
	ClassLaunch
	ClassSync
	ClassAlloc
	ClassFree
	ClassMemcpy
	ClassGraph
	ClassSched
	ClassProcess
	ClassMemory
	ClassIO
	ClassNet
	ClassCollective
	ClassMeta
)

var classNames = [...]string{"other", "launch", "sync", "alloc", "free", "memcpy", "graph", "sched", "process", "memory", "io", "net", "collective", "meta"}

func (c Class) String() string {
	if int(c) < len(classNames) {
		return classNames[c]
	}
	return fmt.Sprintf("class(%d)", uint8(c))
}

// OpInfo describes one op for lookup tables, docs and analysis.
type OpInfo struct {
	Source      Source
	Op          Op
	Name        string
	Class       Class
	Description string
}

// SourceInfo describes one source.
type SourceInfo struct {
	Source      Source
	Name        string
	Layer       string // the timeline label explain prints: CUDA, DRIVER, HOST…
	Description string
}

// Sources lists every source in id order.
func Sources() []SourceInfo { return append([]SourceInfo(nil), sourceTable...) }

// Ops lists every op, grouped by source in id order.
func Ops() []OpInfo { return append([]OpInfo(nil), opTable...) }

// String returns the source's name, such as "cuda" or "driver".
func (s Source) String() string {
	if si, ok := sourceByID[s]; ok {
		return si.Name
	}
	return fmt.Sprintf("source(%d)", uint8(s))
}

// Layer returns the source's timeline label, such as "CUDA" or "HOST".
func (s Source) Layer() string {
	if si, ok := sourceByID[s]; ok {
		return si.Layer
	}
	return "UNKNOWN"
}

// OpName returns the op's registered name, or "source/op(N)" when the op is
// not known to this build (a newer writer, say), so nothing is hidden.
func OpName(s Source, o Op) string {
	if oi, ok := opByKey[Key{s, o}]; ok {
		return oi.Name
	}
	return fmt.Sprintf("%s/op(%d)", s, uint8(o))
}

// LookupOp returns the description of (s, o).
func LookupOp(s Source, o Op) (OpInfo, bool) {
	oi, ok := opByKey[Key{s, o}]
	return oi, ok
}

// OpByName finds an op by its name, case-sensitively, as users type it in
// --op. Short aliases such as "cudaStreamSync" resolve too.
func OpByName(name string) (OpInfo, bool) {
	if oi, ok := opByName[name]; ok {
		return oi, true
	}
	if full, ok := opAliases[name]; ok {
		return opByName[full], true
	}
	return OpInfo{}, false
}

// SourceByName finds a source by its name.
func SourceByName(name string) (Source, bool) {
	for _, si := range sourceTable {
		if si.Name == name {
			return si.Source, true
		}
	}
	return 0, false
}

var (
	sourceByID = map[Source]SourceInfo{}
	opByKey    = map[Key]OpInfo{}
	opByName   = map[string]OpInfo{}
)

func init() {
	for _, si := range sourceTable {
		sourceByID[si.Source] = si
	}
	for _, oi := range opTable {
		k := Key{oi.Source, oi.Op}
		if _, dup := opByKey[k]; dup {
			panic(fmt.Sprintf("event: duplicate op %v", k))
		}
		if _, dup := opByName[oi.Name]; dup {
			panic("event: duplicate op name " + oi.Name)
		}
		opByKey[k] = oi
		opByName[oi.Name] = oi
	}
}
