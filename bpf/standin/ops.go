package standin

import (
	"strings"

	"ingero.dev/common/event"
)

// EventOp maps a function the workload counts to the op a tracer records
// for it: version and per-thread-stream suffixes fold onto the base name
// (cuMemAlloc_v2 is cuMemAlloc). False for functions no probe covers.
func EventOp(fn string) (event.Key, bool) {
	name := fn
	for _, suffix := range []string{"_ptsz", "_ptds", "_v2"} {
		name = strings.TrimSuffix(name, suffix)
	}
	oi, ok := event.OpByName(name)
	if !ok || (oi.Source != event.SourceCUDA && oi.Source != event.SourceDriver) {
		return event.Key{}, false
	}
	return event.Key{Source: oi.Source, Op: oi.Op}, true
}

// Want is the workload's calls folded onto event ops: what a tracer that
// counts every call once must have recorded.
func (c *Counts) Want() map[event.Key]uint64 {
	want := map[event.Key]uint64{}
	for fn, n := range c.Calls {
		if k, ok := EventOp(fn); ok {
			want[k] += n
		}
	}
	return want
}
