package cuda

import (
	"unsafe"

	"ingero.dev/bpf/ring"
	"ingero.dev/bpf/stacks"
	"ingero.dev/common/event"
)

// recSize is the size of struct cuda_rec; layout_test.go proves the Go
// mirror matches the object's BTF, which is what makes the cast safe.
const recSize = int(unsafe.Sizeof(cudaCudaRec{}))

// decoder turns cuda_rec records into events. It runs on the reader
// goroutine only.
type decoder struct {
	clock  ring.Clock
	comms  ring.Interner
	allocs allocTable
	stacks StackResolver
	kpy    KernelPyResolver // set with the kernel walker: records carry Python frames
	codes  stacks.CodeReader
	ips    []uint64
	pyRefs []stacks.PyFrameRef
}

func newDecoder(c ring.Clock, stacks StackResolver, kpy KernelPyResolver, codes stacks.CodeReader) *decoder {
	return &decoder{clock: c, allocs: allocTable{m: map[allocKey]uint64{}}, stacks: stacks, kpy: kpy, codes: codes}
}

func (d *decoder) decode(raw []byte, ev *event.Event) bool {
	if len(raw) < recSize {
		return false
	}
	r := (*cudaCudaRec)(unsafe.Pointer(unsafe.SliceData(raw)))
	h := &r.Hdr
	if src := event.Source(h.Source); src != event.SourceCUDA && src != event.SourceDriver && src != event.SourceGraph {
		return false
	}
	ev.TimeNs = d.clock.Wall(h.KtimeNs)
	ev.PID = h.Pid
	ev.TID = h.Tid
	ev.Comm = d.comms.Comm(*(*[16]byte)(unsafe.Pointer(&h.Comm)))
	ev.Source = event.Source(h.Source)
	ev.Op = event.Op(h.Op)
	ev.DurNs = int64(r.DurNs)
	ev.Args = r.Args
	ev.Ret = r.Ret
	ev.CgroupID = h.CgroupId
	ev.GPU = -1
	ev.StackID = 0
	if d.stacks != nil && len(raw) >= recSize+tailSize {
		tail := (*cudaStackTail)(unsafe.Pointer(&raw[recSize]))
		d.ips = callSites(tail, d.ips[:0])
		if d.kpy != nil && len(raw) >= recSize+tailSize+pyTailSize {
			py := (*cudaPyTail)(unsafe.Pointer(&raw[recSize+tailSize]))
			kp := kernelPyOf(py, d.pyRefs)
			d.pyRefs = kp.Frames
			ev.StackID = d.kpy.ResolveKernel(h.Pid, h.Tid, d.ips, kp, d.codes)
		} else {
			ev.StackID = d.stacks.Resolve(h.Pid, h.Tid, d.ips)
		}
	}
	d.allocs.pair(ev)
	return true
}

const tailSize = int(unsafe.Sizeof(cudaStackTail{}))

// callSites turns the captured stack into return addresses only: the
// probed function's own first instruction goes, and the call's return
// address comes back where the frame-pointer walk skipped it (at a
// function's entry the caller's frame is not linked yet; kernels since
// 6.12 add it themselves).
func callSites(t *cudaStackTail, dst []uint64) []uint64 {
	n := min(int(t.Nbytes/8), len(t.Ips))
	ips := t.Ips[:n]
	if t.AtEntry != 0 && len(ips) > 0 {
		ips = ips[1:]
	}
	if t.RetAddr != 0 && (len(ips) == 0 || ips[0] != t.RetAddr) {
		dst = append(dst, t.RetAddr)
	}
	for _, ip := range ips {
		if ip == 0 {
			break
		}
		dst = append(dst, ip)
	}
	return dst
}

// allocTable pairs frees with the allocations they release, by pointer,
// to fill a free's Args[1] with the freed size. Pairing in user space
// keeps a map update off the probed call.
type allocTable struct {
	m map[allocKey]uint64
}

type allocKey struct {
	pid  uint32
	host bool // pinned host memory, a separate address space
	ptr  uint64
}

// maxAllocs bounds the table: allocations whose free was never seen (the
// process died, or the free was sampled out) must not grow it for ever.
const maxAllocs = 1 << 20

var (
	keyCudaMalloc        = event.Key{Source: event.SourceCUDA, Op: event.CudaMalloc}
	keyCudaMallocManaged = event.Key{Source: event.SourceCUDA, Op: event.CudaMallocManaged}
	keyCudaMallocHost    = event.Key{Source: event.SourceCUDA, Op: event.CudaMallocHost}
	keyCudaFree          = event.Key{Source: event.SourceCUDA, Op: event.CudaFree}
	keyCudaFreeHost      = event.Key{Source: event.SourceCUDA, Op: event.CudaFreeHost}
	keyCuMemAlloc        = event.Key{Source: event.SourceDriver, Op: event.CuMemAlloc}
	keyCuMemAllocManaged = event.Key{Source: event.SourceDriver, Op: event.CuMemAllocManaged}
	keyCuMemFree         = event.Key{Source: event.SourceDriver, Op: event.CuMemFree}
)

func (a *allocTable) pair(ev *event.Event) {
	switch ev.Key() {
	case keyCudaMalloc, keyCudaMallocManaged, keyCuMemAlloc, keyCuMemAllocManaged:
		a.alloc(ev, false)
	case keyCudaMallocHost:
		a.alloc(ev, true)
	case keyCudaFree, keyCuMemFree:
		a.free(ev, false)
	case keyCudaFreeHost:
		a.free(ev, true)
	}
}

func (a *allocTable) alloc(ev *event.Event, host bool) {
	// Entry-only records carry no pointer; failed calls allocate nothing.
	if ev.Ret != 0 || ev.Args[1] == 0 || len(a.m) >= maxAllocs {
		return
	}
	a.m[allocKey{ev.PID, host, ev.Args[1]}] = ev.Args[0]
}

func (a *allocTable) free(ev *event.Event, host bool) {
	if ev.Ret != 0 {
		return // a failed free releases nothing
	}
	k := allocKey{ev.PID, host, ev.Args[0]}
	if size, ok := a.m[k]; ok {
		ev.Args[1] = size
		delete(a.m, k)
	}
}
