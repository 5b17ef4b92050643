package stacks

import (
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"path/filepath"
	"unicode/utf16"

	"ingero.dev/common/event"
)

// PyTarget tells the kernel walker (--py-walker ebpf) where one process's
// interpreter keeps its threads and frames. Offsets are in bytes.
type PyTarget struct {
	Minor          int
	Runtime        uint64 // address of _PyRuntime
	InterpHead     uint64
	ThreadsHead    uint64
	TsNext         uint64
	TsTID          uint64 // native_thread_id, or thread_id on 3.10
	TsTIDIsPthread bool   // 3.10: thread_id is a pthread_t
	TsFrame        uint64
	CframeFrame    int64 // -1: TsFrame holds the frame itself
	FrameSpan      uint64
	FrPrevious     uint64
	FrCode         uint64
	FrInstr        uint64
	FrInstrIsLasti bool // 3.10: a 32-bit f_lasti
	FrOwner        int64
	OwnerCStack    int
	CoFilename     uint64
	CoName         uint64
	CoFirstLine    uint64
	CoLinetable    uint64
	ASCIISize      uint64
	CompactSize    uint64
}

// KernelPython says the Python frames come from the kernel walker.
func (r *Resolver) KernelPython() bool { return r.py == PyEBPF }

// Walker is how Python frames are read.
func (r *Resolver) Walker() PyWalker { return r.py }

// PyTarget returns what the kernel walker needs for process pid, reading
// its mappings and ELF files only; false when it runs no known CPython.
func (r *Resolver) PyTarget(pid uint32) (PyTarget, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.proc(pid)
	if p.py == nil {
		return PyTarget{}, false
	}
	l := &p.py.lay
	t := PyTarget{
		Minor: l.minor, Runtime: p.py.runtime, InterpHead: l.interpHead, ThreadsHead: l.threadsHead,
		TsNext: l.tsNext, TsTID: l.tsNativeTID, TsFrame: l.tsFrame, CframeFrame: l.cframeFrame,
		FrameSpan: l.frameSpan(), FrPrevious: l.frPrevious, FrCode: l.frCode, FrInstr: l.frInstr,
		FrInstrIsLasti: l.minor == 10, FrOwner: l.frOwner, OwnerCStack: l.ownerCStack,
		CoFilename: l.coFilename, CoName: l.coName, CoFirstLine: l.coFirstLine, CoLinetable: l.coLinetable,
		ASCIISize: l.asciiSize, CompactSize: l.compactSize,
	}
	if l.tsNativeTID == 0 {
		t.TsTID, t.TsTIDIsPthread = l.tsThreadID, true
	}
	return t, true
}

// KernelPy is what the kernel walker captured for one call.
type KernelPy struct {
	Walked bool   // false: the thread had no Python stack, or it could not be read
	Failed bool   // a read of the interpreter failed in the kernel
	Gen    uint32 // which description of the process the walk used
	Frames []PyFrameRef
}

// PyFrameRef is one frame as the kernel saw it: its code object and
// instruction (3.11+: a pointer into the code; 3.10: f_lasti).
type PyFrameRef struct{ Code, Instr uint64 }

// PyCodeData is a code object as the kernel copied it. Strings are the str
// object's raw data, Kind bytes a character; Size is the full length in
// bytes, of which the last len(Data) are here.
type PyCodeData struct {
	File, Name PyStr
	FirstLine  int
	Table      []byte
	TableSize  int // the line table's full size
}

type PyStr struct {
	Data []byte
	Kind int
	Size int
}

// CodeReader fetches what the kernel copied of a code object.
type CodeReader func(pid, gen uint32, code uint64) (PyCodeData, error)

// ResolveKernel is Resolve for a record that carries the kernel walker's
// Python frames: no memory of the process is read. py.Frames is not kept.
func (r *Resolver) ResolveKernel(pid, tid uint32, ips []uint64, py KernelPy, codes CodeReader) uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.proc(pid)
	if p.py == nil || !py.Walked {
		if py.Failed {
			r.stats.PyFailures++
		}
		return r.resolve(pid, tid, ips)
	}
	key := rawKey{pid: pid, hash: hashKernel(ips, py)}
	if id, ok := r.kernel[key]; ok {
		return id
	}
	r.stats.PyWalks++
	frames, named := r.kernelFrames(pid, p.py, py, codes)
	if py.Failed || !named {
		r.stats.PyFailures++
	}
	rk := rawKey{pid: pid, hash: hashIPs(ips)}
	native, loaded := r.natives[rk]
	if !loaded {
		native, loaded = r.native(pid, p, ips)
		if loaded {
			if len(r.natives) > 1<<16 {
				clear(r.natives)
			}
			r.natives[rk] = native
		}
	}
	id := r.store(splice(native, frames, filepath.Base(p.py.path)), loaded)
	// A frame missing its code object may be there next time, and symbols
	// still loading will be in.
	if named && loaded {
		if len(r.kernel) > 1<<18 {
			clear(r.kernel)
		}
		r.kernel[key] = id
	}
	return id
}

// kernelFrames names each frame from its code object; complete is false
// when a code object could not be had.
func (r *Resolver) kernelFrames(pid uint32, p *pyProc, py KernelPy, codes CodeReader) ([]event.Frame, bool) {
	if p.gen != py.Gen {
		clear(p.codes)
		p.gen = py.Gen
	}
	out := make([]event.Frame, 0, len(py.Frames))
	complete := true
	for _, f := range py.Frames {
		c := p.codes[f.Code]
		if c == nil {
			d, err := codes(pid, py.Gen, f.Code)
			if err != nil {
				complete = false
				continue
			}
			if c, err = d.code(); err != nil {
				complete = false
				continue
			}
			if len(p.codes) >= maxCodeCache {
				clear(p.codes)
			}
			p.codes[f.Code] = c
		}
		var line int
		if p.lay.minor == 10 {
			line = lineOf310(c.table, c.first, int(int32(f.Instr))*2)
		} else {
			line = lineOf311(c.table, c.first, int(int64(f.Instr-f.Code-p.lay.coCode)/2))
		}
		out = append(out, event.Frame{Symbol: c.name, File: c.file, Line: line, Lang: event.LangPython})
	}
	return out, complete
}

func (d PyCodeData) code() (*pyCode, error) {
	file, err := d.File.decode()
	if err != nil {
		return nil, fmt.Errorf("file name: %w", err)
	}
	name, err := d.Name.decode()
	if err != nil {
		return nil, fmt.Errorf("name: %w", err)
	}
	return &pyCode{file: file, name: name, first: d.FirstLine, table: d.Table}, nil
}

// decode turns a str object's data into a string; a cut one starts with
// "...", since the kernel keeps the end of a long path.
func (s PyStr) decode() (string, error) {
	if s.Kind != 1 && s.Kind != 2 && s.Kind != 4 {
		return "", errors.New("not a compact str object")
	}
	b := s.Data[:len(s.Data)/s.Kind*s.Kind]
	var out string
	switch s.Kind {
	case 1:
		r := make([]rune, len(b)) // Latin-1, which ASCII is part of
		for i, c := range b {
			r[i] = rune(c)
		}
		out = string(r)
	case 2:
		u := make([]uint16, len(b)/2)
		for i := range u {
			u[i] = binary.LittleEndian.Uint16(b[2*i:])
		}
		out = string(utf16.Decode(u))
	default:
		r := make([]rune, len(b)/4)
		for i := range r {
			r[i] = rune(binary.LittleEndian.Uint32(b[4*i:]))
		}
		out = string(r)
	}
	if s.Size > len(s.Data) {
		out = "..." + out
	}
	return out, nil
}

func hashKernel(ips []uint64, py KernelPy) uint64 {
	h := fnv.New64a()
	var b [8]byte
	for _, ip := range ips {
		binary.LittleEndian.PutUint64(b[:], ip)
		h.Write(b[:])
	}
	binary.LittleEndian.PutUint64(b[:], uint64(py.Gen)<<32|uint64(len(py.Frames)))
	h.Write(b[:])
	for _, f := range py.Frames {
		binary.LittleEndian.PutUint64(b[:], f.Code)
		h.Write(b[:])
		binary.LittleEndian.PutUint64(b[:], f.Instr)
		h.Write(b[:])
	}
	return h.Sum64()
}

// debugLayoutFile reads 3.13's debug offsets from the file's initialised
// _PyRuntime (.data), for the kernel walker, which reads no memory here.
func debugLayoutFile(path string) (pyLayout, error) {
	f, err := elf.Open(path)
	if err != nil {
		return pyLayout{}, err
	}
	defer f.Close()
	for _, get := range []func() ([]elf.Symbol, error){f.DynamicSymbols, f.Symbols} {
		ss, _ := get()
		for _, s := range ss {
			if s.Name != "_PyRuntime" || s.Value == 0 || int(s.Section) >= len(f.Sections) {
				continue
			}
			sec := f.Sections[s.Section]
			if sec.Type != elf.SHT_PROGBITS || s.Value < sec.Addr {
				continue
			}
			buf := make([]byte, dbgSize)
			if _, err := sec.ReadAt(buf, int64(s.Value-sec.Addr)); err != nil {
				return pyLayout{}, fmt.Errorf("%s: reading _PyRuntime: %w", path, err)
			}
			return parseDebugOffsets(buf, path+"'s _PyRuntime")
		}
	}
	return pyLayout{}, fmt.Errorf("%s: no initialised _PyRuntime symbol", path)
}
