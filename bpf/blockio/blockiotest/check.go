package blockiotest

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"ingero.dev/common/event"
)

// Check verifies the records of a WriteSync and a Read of f among events,
// and returns what is wrong. The read finds where the file lives, since
// O_DIRECT reads nothing else: its thread's block_read records carry
// exactly the file's size. The write's data must land on those sectors,
// exactly the file's size too; the thread may also write the inode (fsync
// without a journal), which lands elsewhere. Every record is successful,
// timed, on the file's device and issued inside its system call. tb only
// logs the records.
func (f *File) Check(tb testing.TB, events []event.Event, write, read Span) error {
	tb.Helper()
	size := uint64(len(f.buf))
	var errs []error
	reads := f.requests(tb, read, events, event.BlockRead, &errs)
	if b := reads.bytes(nil); b != size {
		errs = append(errs, fmt.Errorf("thread %d: block_read records carry %d bytes, it read %d", read.TID, b, size))
	}
	writes := f.requests(tb, write, events, event.BlockWrite, &errs)
	if b := writes.bytes(reads); b != size {
		errs = append(errs, fmt.Errorf("thread %d: block_write records carry %d bytes onto the file's sectors, it wrote %d", write.TID, b, size))
	}
	if b := writes.bytes(nil); b < size {
		errs = append(errs, fmt.Errorf("thread %d: block_write records carry %d bytes, it wrote %d", write.TID, b, size))
	}
	return errors.Join(errs...)
}

// Within says e was issued during s, allowing the kernel-to-wall clock
// mapping a millisecond of error.
func (s Span) Within(e *event.Event) bool {
	const slack = int64(time.Millisecond)
	return e.TimeNs >= s.StartNs-slack && e.TimeNs <= s.EndNs+slack
}

// extents are requests' sector ranges, [lo, hi) in 512-byte sectors.
type extents [][2]uint64

// bytes sums the extents lying inside one of in's (all of them for nil).
func (x extents) bytes(in extents) uint64 {
	var n uint64
	for _, e := range x {
		if in == nil || slices.ContainsFunc(in, func(o [2]uint64) bool { return o[0] <= e[0] && e[1] <= o[1] }) {
			n += (e[1] - e[0]) * 512
		}
	}
	return n
}

// requests checks the records of op by s's thread and returns their ranges.
func (f *File) requests(tb testing.TB, s Span, events []event.Event, op event.Op, errs *[]error) extents {
	tb.Helper()
	var out extents
	for i := range events {
		e := &events[i]
		if !s.Holds(e) || e.Source != event.SourceIO || e.Op != op {
			continue
		}
		tb.Logf("%s by %s[%d/%d]: %d bytes at sector %d on %s in %v", e.OpName(), e.Comm, e.PID, e.TID,
			e.Args[0], e.Args[1], DeviceName(e.Args[2]), time.Duration(e.DurNs))
		out = append(out, [2]uint64{e.Args[1], e.Args[1] + e.Args[0]/512})
		if e.DurNs <= 0 || e.Ret != 0 || e.Args[0] == 0 || e.Args[1] == 0 || e.Comm == "" {
			*errs = append(*errs, fmt.Errorf("%s record %+v", e.OpName(), *e))
		}
		if !f.Devices[e.Args[2]] {
			*errs = append(*errs, fmt.Errorf("%s on device %s, the file lives on %v", e.OpName(), DeviceName(e.Args[2]), f.deviceNames()))
		}
		if !s.Within(e) {
			*errs = append(*errs, fmt.Errorf("%s issued at %d, outside its system call [%d, %d]", e.OpName(), e.TimeNs, s.StartNs, s.EndNs))
		}
	}
	return out
}

// DeviceName writes a record's device (major<<20 | minor) as major:minor.
func DeviceName(dev uint64) string {
	return fmt.Sprintf("%d:%d", dev>>20, dev&(1<<20-1))
}

func (f *File) deviceNames() []string {
	var out []string
	for d := range f.Devices {
		out = append(out, DeviceName(d))
	}
	slices.Sort(out)
	return out
}
