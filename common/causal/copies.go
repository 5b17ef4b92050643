package causal

import "ingero.dev/common/event"

// Copy directions, as cudaMemcpyKind numbers them; kindOther collects
// values this build does not know.
const (
	kindH2H = iota
	kindH2D
	kindD2H
	kindD2D
	kindDefault
	kindOther
	numKinds
)

var kindNames = [numKinds]string{"H2H", "H2D", "D2H", "D2D", "default", "unknown"}

var kindWords = [numKinds]string{"host-to-host", "host-to-device", "device-to-host", "device-to-device",
	"unified (direction resolved by the driver)", "of unknown direction"}

// copyDir sums the copies of one direction.
type copyDir struct {
	calls, bytes, ns int64
}

// copyCall is one copy worth quoting.
type copyCall struct {
	t, d, bytes int64
	kind        int
	op          string
}

func copyKind(o *opState, ev *event.Event) int {
	if o.kind >= 0 {
		return o.kind
	}
	if k := ev.Args[1]; k < kindOther {
		return int(k)
	}
	return kindOther
}

// copy adds one memcpy call to the process's per-direction totals.
func (p *proc) copy(o *opState, ev *event.Event) {
	k := copyKind(o, ev)
	d := max(ev.DurNs, 0)
	b := int64(min(ev.Args[0], 1<<62))
	c := &p.copies[k]
	c.calls++
	c.bytes += b
	c.ns += d
	if d > p.largestCopy.d || p.largestCopy.t == 0 {
		p.largestCopy = copyCall{t: ev.TimeNs, d: d, bytes: b, kind: k, op: o.name}
	}
}
