package cuda

import (
	"errors"
	"fmt"
	"unsafe"

	"github.com/cilium/ebpf"

	"ingero.dev/bpf/stacks"
)

// KernelPyResolver is a StackResolver that takes Python frames walked in
// the kernel (--py-walker ebpf, python.h) instead of reading the
// interpreter's memory itself.
type KernelPyResolver interface {
	StackResolver
	KernelPython() bool
	PyTarget(pid uint32) (stacks.PyTarget, bool)
	ResolveKernel(pid, tid uint32, ips []uint64, py stacks.KernelPy, codes stacks.CodeReader) uint64
}

// kernelPy is the Options' resolver when it wants the kernel walker.
func kernelPy(opts Options) KernelPyResolver {
	if k, ok := opts.Stacks.(KernelPyResolver); ok && k.KernelPython() {
		return k
	}
	return nil
}

const pyTailSize = int(unsafe.Sizeof(cudaPyTail{}))

// py_tail.status, as python.h sets it.
const (
	pyWalked     = 1
	pyReadFailed = 3
)

// kernelPyOf reads the record's Python frames into dst's storage, which the
// resolver does not keep.
func kernelPyOf(t *cudaPyTail, dst []stacks.PyFrameRef) stacks.KernelPy {
	py := stacks.KernelPy{Walked: t.Status == pyWalked, Failed: t.Status == pyReadFailed, Gen: t.Gen, Frames: dst[:0]}
	for i := range min(int(t.Nframes), len(t.Frames)) {
		py.Frames = append(py.Frames, stacks.PyFrameRef{Code: t.Frames[i].Code, Instr: t.Frames[i].Instr})
	}
	return py
}

// pyCodes reads what the kernel copied of code objects (py_codes).
type pyCodes struct{ m *ebpf.Map }

func (c pyCodes) read(pid, gen uint32, code uint64) (stacks.PyCodeData, error) {
	var v cudaPyCode
	if err := c.m.Lookup(cudaPyCodeKey{Pid: pid, Gen: gen, Code: code}, &v); err != nil {
		return stacks.PyCodeData{}, fmt.Errorf("code object %#x of %d: %w", code, pid, err)
	}
	return stacks.PyCodeData{
		File:      stacks.PyStr{Data: v.File[:min(int(v.FileLen), len(v.File))], Kind: int(v.FileKind), Size: int(v.FileSize)},
		Name:      stacks.PyStr{Data: v.Name[:min(int(v.NameLen), len(v.Name))], Kind: int(v.NameKind), Size: int(v.NameSize)},
		FirstLine: int(v.FirstLine),
		Table:     append([]byte(nil), v.Table[:min(int(v.TableLen), len(v.Table))]...),
		TableSize: int(v.TableSize),
	}, nil
}

// describePython tells the kernel walker where pid's interpreter is, or
// forgets the process when it runs none. Each description gets a new
// generation, so code objects copied for an earlier image are not reused.
func (t *Tracer) describePython(pid uint32) error {
	k := kernelPy(t.opts)
	if k == nil {
		return nil
	}
	pt, ok := k.PyTarget(pid)
	if !ok {
		if err := t.coll.Maps[cudaMapPyProcs].Delete(pid); err != nil && !isNotExist(err) {
			return fmt.Errorf("forgetting the interpreter of %d: %w", pid, err)
		}
		return nil
	}
	t.pyGen++
	v := cudaPyProc{
		Runtime: pt.Runtime, Gen: t.pyGen, InterpHead: uint32(pt.InterpHead), ThreadsHead: uint32(pt.ThreadsHead),
		TsNext: uint32(pt.TsNext), TsTid: uint32(pt.TsTID), TsTidIsPthread: b32(pt.TsTIDIsPthread),
		TsFrame: uint32(pt.TsFrame), CframeFrame: int32(pt.CframeFrame), FrameSpan: uint32(pt.FrameSpan),
		FrPrevious: uint32(pt.FrPrevious), FrCode: uint32(pt.FrCode), FrInstr: uint32(pt.FrInstr),
		FrInstrIsLasti: b32(pt.FrInstrIsLasti), FrOwner: int32(pt.FrOwner), OwnerCstack: int32(pt.OwnerCStack),
		CoFilename: uint32(pt.CoFilename), CoName: uint32(pt.CoName), CoFirstlineno: uint32(pt.CoFirstLine),
		CoLinetable: uint32(pt.CoLinetable), AsciiSize: uint32(pt.ASCIISize), CompactSize: uint32(pt.CompactSize),
	}
	if pt.FrameSpan > pySpan {
		return fmt.Errorf("python 3.%d of %d: its frame fields span %d bytes, the kernel walker reads %d", pt.Minor, pid, pt.FrameSpan, pySpan)
	}
	if err := t.coll.Maps[cudaMapPyProcs].Put(pid, v); err != nil {
		return fmt.Errorf("describing the interpreter of %d to the kernel: %w", pid, err)
	}
	return nil
}

// pySpan is python.h's PY_SPAN.
const pySpan = 128

func b32(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}

func isNotExist(err error) bool { return errors.Is(err, ebpf.ErrKeyNotExist) }
