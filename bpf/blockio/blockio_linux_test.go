package blockio

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"ingero.dev/bpf/blockio/blockiotest"
	bpftestenv "ingero.dev/bpf/internal/testenv"
	"ingero.dev/bpf/ring"
	"ingero.dev/bpf/shared"
	"ingero.dev/bpf/sysreq"
	"ingero.dev/common/event"
	"ingero.dev/common/testenv"
)

// TestDirectIORecorded writes 1 MiB with O_DIRECT, fsyncs, and reads it
// back: the threads that did it have exactly those bytes as block_write
// and block_read records (blockiotest.File.Check says how that is
// judged), and a disk with a write cache also shows the fsync's flush,
// charged to a waiting request's submitter. The kernel at times runs no
// probe for a completion (see blockio.c); an attempt that lost one of the
// test's own completions, still in the in-flight map, is made again.
func TestDirectIORecorded(t *testing.T) {
	bpftestenv.RequireBPF(t)
	if err := sysreq.Prepare(); err != nil {
		t.Fatal(err)
	}
	f := blockiotest.Open(t, 1<<20)
	for attempt := 1; attempt <= 3; attempt++ {
		skipped, err := recordDirectIO(t, f)
		if err == nil {
			return
		}
		if skipped == 0 {
			t.Fatal(err)
		}
		t.Logf("attempt %d: no probe ran for %d of the test's completions (%v); again", attempt, skipped, err)
	}
	t.Fatal("no probe ran for some of the test's completions in every attempt")
}

// recordDirectIO traces one write and read of f and checks the records.
// skipped counts the test's requests still issued in the in-flight map
// at the end: their completion ran no probe.
func recordDirectIO(t *testing.T, f *blockiotest.File) (skipped int, err error) {
	m, err := shared.New()
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	tr, err := Load(m, Options{Clock: ring.NewClock()})
	if err != nil {
		t.Fatal(err)
	}
	warnings, err := tr.Attach()
	if err != nil {
		tr.Close()
		t.Fatal(err)
	}
	if len(warnings) > 0 {
		tr.Close()
		testenv.Unavailable(t, "requests cannot be charged to their submitter here: "+warnings[0].Error())
	}
	var events []event.Event
	tr.Start(func(b []event.Event) { events = append(events, b...) })
	w := f.WriteSync(t)
	r := f.Read(t)
	skipped = stillIssued(t, tr, w.TID, r.TID)
	// Close returns after the reader delivered its last batch.
	if err := tr.Close(); err != nil {
		t.Error(err)
	}

	c, err := m.Counters()
	if err != nil {
		t.Fatal(err)
	}
	if c.Errors.CallStateFull != 0 {
		t.Errorf("%d requests not remembered", c.Errors.CallStateFull)
	}
	if s := tr.Stats(); s.Undecodable != 0 || s.Records != uint64(len(events)) {
		t.Errorf("reader stats %+v for %d events", s, len(events))
	}
	unmatched, err := tr.Unmatched()
	if err != nil {
		t.Fatal(err)
	}
	missed, err := tr.Missed()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d events host-wide, %d dropped, %d completions never reported, %d completions of requests issued before attach",
		len(events), c.DropsOf(event.SourceIO), missed, unmatched)
	err = f.Check(t, events, w, r)
	if f.WriteCache {
		err = errors.Join(err, checkFlush(t, f, w, events))
	}
	return skipped, err
}

// stillIssued counts the in-flight entries of the threads that were issued
// and never completed.
func stillIssued(t *testing.T, tr *Tracer, tids ...uint32) int {
	var key uint64
	var v blockioInflight
	n := 0
	it := tr.coll.Maps[blockioMapInflight].Iterate()
	for it.Next(&key, &v) {
		for _, tid := range tids {
			if v.Hdr.Tid == tid && v.Hdr.KtimeNs != 0 {
				n++
			}
		}
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
	return n
}

// checkFlush: the fsync of a disk with a write cache sends a flush, which
// a kblockd worker dispatches. It is charged to the request waiting on it:
// the writer's empty preflush, or a journal commit (jbd2). Another
// process's fsync may share the flush, and be charged with it, but a
// flush charged to a kworker means the waiter was not found.
func checkFlush(t *testing.T, f *blockiotest.File, w blockiotest.Span, events []event.Event) error {
	var flushes, byWorker int
	var errs []error
	for i := range events {
		e := &events[i]
		if e.Op != event.BlockFlush || !f.Devices[e.Args[0]] || !w.Within(e) {
			continue
		}
		t.Logf("block_flush by %s[%d/%d] on %s in %d ns", e.Comm, e.PID, e.TID, blockiotest.DeviceName(e.Args[0]), e.DurNs)
		flushes++
		if strings.HasPrefix(e.Comm, "kworker/") {
			byWorker++
		}
		if e.DurNs <= 0 || e.Ret != 0 {
			errs = append(errs, fmt.Errorf("flush record %+v", *e))
		}
	}
	if flushes == 0 {
		errs = append(errs, fmt.Errorf("the disk caches writes but fsync's flush was not recorded on the file's devices %v", f.Devices))
	}
	if byWorker > 0 && byWorker == flushes {
		errs = append(errs, errors.New("every flush during the fsync was charged to the kworker that dispatched it, not to a waiting request's submitter"))
	}
	return errors.Join(errs...)
}
