package ndjson

import (
	"strconv"

	"ingero.dev/common/event"
)

// Walk calls fn with the named values of ev's line after the fixed fields,
// in line order and with the names trace --json uses: the args (argN for
// a value its name cannot hold), then preemptor_pid/preemptor_comm or
// peer_pid/peer_comm, stack_id, gpu and cgroup_id when present. Values are
// uint64, int64, bool or string ("0x…" for pointers and handles, "H2D" and
// the like for memcpy kinds). Readers that show events another way (query's
// table) walk this instead of parsing the encoded line; a test keeps it
// equal to what Encoder writes.
func Walk(ev *event.Event, fn func(name string, v any)) {
	spec := specFor(ev.Source, ev.Op)
	for i, v := range ev.Args {
		f := spec[i]
		if !f.fits(v) {
			if v != 0 {
				fn(rawArgNames[i], v)
			}
			continue
		}
		switch f.kind {
		case kindNum:
			fn(f.name, v)
		case kindInt:
			fn(f.name, int64(v))
		case kindHex:
			fn(f.name, "0x"+strconv.FormatUint(v, 16))
		case kindBool:
			fn(f.name, v == 1)
		case kindCopy:
			fn(f.name, copyKinds[v])
		case kindPorts:
			fn("sport", v>>16)
			fn("dport", v&0xffff)
		case kindRank:
			fn("rank", v&0xffffffff)
			fn("nranks", v>>32)
		}
	}
	if ev.PeerPID != 0 || ev.PeerComm != "" {
		if ev.Source == event.SourceHost && ev.Op == event.SchedSwitch {
			fn("preemptor_pid", uint64(ev.PeerPID))
			fn("preemptor_comm", ev.PeerComm)
		} else {
			fn("peer_pid", uint64(ev.PeerPID))
			fn("peer_comm", ev.PeerComm)
		}
	}
	if ev.StackID != 0 {
		fn("stack_id", "0x"+strconv.FormatUint(ev.StackID, 16))
	}
	if ev.GPU >= 0 {
		fn("gpu", int64(ev.GPU))
	}
	if ev.CgroupID != 0 {
		fn("cgroup_id", ev.CgroupID)
	}
}
