package export

import (
	"fmt"
	"strconv"

	"ingero.dev/common/event"
	"ingero.dev/common/store"
)

// args lists what a call's slice shows: its ID (so a slice leads back to
// 'ingero query'), what went wrong, where it ran, and the op's own args.
// The slice is reused per event; sinks consume it before the next.
func (b *builder) args(id store.EventID, ev *event.Event) ([]arg, error) {
	b.argBuf = append(b.argBuf[:0], idArg(id.Node, id.Seq))
	if ev.Ret != 0 {
		b.argBuf = append(b.argBuf, intArg("return_code", int64(ev.Ret)))
	}
	if ev.GPU >= 0 {
		b.argBuf = append(b.argBuf, intArg("gpu", int64(ev.GPU)))
	}
	if ev.StackID != 0 {
		b.argBuf = append(b.argBuf, strArg("stack_id", "0x"+strconv.FormatUint(ev.StackID, 16)))
		site, err := b.callSite(ev.StackID)
		if err != nil {
			return nil, err
		}
		if site != "" {
			b.argBuf = append(b.argBuf, strArg("call_site", site))
		}
	}
	if ev.PeerPID != 0 || ev.PeerComm != "" {
		b.argBuf = append(b.argBuf, strArg("peer", fmt.Sprintf("%s (%d)", ev.PeerComm, ev.PeerPID)))
	}
	b.argBuf = b.opArgs(b.argBuf, ev)
	return b.argBuf, nil
}

// callSite is the line that made the calls of a stack ("train.py:42
// (step)"), read once per stack; "" when its frames say nothing.
func (b *builder) callSite(id uint64) (string, error) {
	if site, ok := b.sites[id]; ok {
		return site, nil
	}
	got, err := b.stacks([]uint64{id})
	if err != nil {
		return "", fmt.Errorf("reading stack %#x: %w", id, err)
	}
	site := ""
	if f, ok := event.CallSite(got[id].Frames); ok {
		site = f.Site()
	}
	b.sites[id] = site
	return site, nil
}

// opArgs names the op's non-zero args after docs/events.md ("args: size,
// device pointer" gives size and device_pointer).
func (b *builder) opArgs(out []arg, ev *event.Event) []arg {
	if ev.Key() != b.lastKey || b.lastNames == nil {
		names, ok := b.argNames[ev.Key()]
		if !ok {
			info, _ := event.LookupOp(ev.Source, ev.Op)
			names = argNamesOf(info.Description)
			b.argNames[ev.Key()] = names
		}
		b.lastKey, b.lastNames = ev.Key(), &names
	}
	names := b.lastNames
	for i, v := range ev.Args {
		if v == 0 {
			continue
		}
		name := names[i]
		if name == "" {
			name = "arg" + strconv.Itoa(i)
		}
		out = append(out, uintArg(name, v))
	}
	return out
}
