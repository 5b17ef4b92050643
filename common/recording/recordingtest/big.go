package recordingtest

import (
	"testing"

	"ingero.dev/common/batch/batchtest"
	"ingero.dev/common/event"
	"ingero.dev/common/store"
)

// WriteLarge writes a database of n events of one node for benchmarks: a
// PyTorch-like launch storm with host events (batchtest.Mixed) repeated
// block after block in time, plus a snapshot per second, as trace would
// record it. Memory stays at one block whatever n is.
func WriteLarge(tb testing.TB, path, node string, n int, seed uint64) {
	tb.Helper()
	w, err := store.OpenWriter(path, store.Options{FlushInterval: -1})
	if err != nil {
		tb.Fatal(err)
	}
	const block = 1 << 16
	var next, lastSnap int64
	for done := 0; done < n; {
		evs := batchtest.Mixed(seed+uint64(done), min(block, n-done))
		if len(evs) == 0 {
			break
		}
		if next == 0 {
			next = evs[0].TimeNs
		}
		shift := next - evs[0].TimeNs
		var snaps []event.Snapshot
		for i := range evs {
			evs[i].TimeNs += shift
			evs[i].Node = node
			if t := evs[i].TimeNs; t-lastSnap >= 1e9 {
				lastSnap = t
				snaps = append(snaps, event.Snapshot{TimeNs: t, Node: node, CPUPct: 50, MemPct: 40, MemAvailMB: 8000, Load1: 2})
			}
		}
		next = evs[len(evs)-1].TimeNs + 1000
		must(tb, w.Append(evs))
		must(tb, w.PutSnapshots(snaps))
		done += len(evs)
	}
	must(tb, w.Close())
}
