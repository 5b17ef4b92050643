package stacks

import (
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"unicode/utf16"

	"ingero.dev/common/event"
)

// pyProc is one CPython process the walker can read.
type pyProc struct {
	mem     memory
	lay     pyLayout
	runtime uint64 // address of _PyRuntime
	path    string // the file holding the interpreter: libpython or the executable
	codes   map[uint64]*pyCode
	gen     uint32 // the kernel walker's description that codes belong to
}

type pyCode struct {
	file, name string
	first      int
	table      []byte
}

const (
	maxPyFrames  = 32
	maxPyThreads = 256
	// glibc's struct pthread keeps the kernel thread ID here on x86-64;
	// 3.10's thread state knows only the pthread_t.
	pthreadTIDOffset = 0x2d0
	maxCodeCache     = 1 << 14
)

var pyVersionRe = regexp.MustCompile(`python3\.(\d+)`)

// findPython returns the process's interpreter, or nil when none of its
// mappings is a CPython this walker knows. With fromFile, nothing is read
// from the process's memory (--py-walker ebpf): 3.13's debug offsets come
// from the file's initialised _PyRuntime.
func findPython(pid uint32, ms []mapping, root string, fromFile bool) (*pyProc, error) {
	for _, m := range ms {
		match := pyVersionRe.FindStringSubmatch(filepath.Base(m.path))
		if match == nil {
			continue
		}
		minor, _ := strconv.Atoi(match[1])
		if minor < 10 || minor > 13 {
			return nil, fmt.Errorf("python 3.%d: the walker reads 3.10 to 3.13", minor)
		}
		runtime, err := symbolAddress(root+m.path, "_PyRuntime", m)
		if err != nil {
			continue // the executable of a shared-library build: the library has it
		}
		p := &pyProc{mem: memory{pid: int(pid)}, runtime: runtime, path: m.path, codes: map[uint64]*pyCode{}}
		switch {
		case minor == 13 && fromFile:
			if p.lay, err = debugLayoutFile(root + m.path); err != nil {
				return nil, err
			}
		case minor == 13:
			if p.lay, err = debugLayout(p.mem, runtime); err != nil {
				return nil, err
			}
		default:
			p.lay = pyLayouts[minor]
		}
		return p, nil
	}
	return nil, nil
}

// symbolAddress is where a data symbol of the file mapped at m lives in
// the process.
func symbolAddress(path, name string, m mapping) (uint64, error) {
	f, err := elf.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var bias uint64
	found := false
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD && m.offset >= p.Off && m.offset < p.Off+p.Filesz {
			bias, found = m.start-(m.offset-p.Off+p.Vaddr), true
		}
	}
	if !found {
		return 0, fmt.Errorf("%s: no segment at offset %#x", path, m.offset)
	}
	for _, get := range []func() ([]elf.Symbol, error){f.DynamicSymbols, f.Symbols} {
		ss, _ := get()
		for _, s := range ss {
			if s.Name == name && s.Value != 0 {
				return bias + s.Value, nil
			}
		}
	}
	return 0, fmt.Errorf("%s: no symbol %s", path, name)
}

// frames walks the Python stack of thread tid, innermost frame first.
func (p *pyProc) frames(tid uint32) ([]event.Frame, error) {
	ts, err := p.threadState(tid)
	if err != nil || ts == 0 {
		return nil, err
	}
	l := &p.lay
	frame, err := p.mem.u64(ts + l.tsFrame)
	if err == nil && l.cframeFrame >= 0 && frame != 0 {
		frame, err = p.mem.u64(frame + uint64(l.cframeFrame))
	}
	if err != nil {
		return nil, err
	}
	var out []event.Frame
	for i := 0; frame != 0 && i < maxPyFrames; i++ {
		f, ok, err := p.frame(frame)
		if err != nil {
			return out, err
		}
		if ok {
			out = append(out, f)
		}
		if frame, err = p.mem.u64(frame + l.frPrevious); err != nil {
			return out, err
		}
	}
	return out, nil
}

func (p *pyProc) threadState(tid uint32) (uint64, error) {
	l := &p.lay
	interp, err := p.mem.u64(p.runtime + l.interpHead)
	if err != nil {
		return 0, err
	}
	ts, err := p.mem.u64(interp + l.threadsHead)
	if err != nil {
		return 0, err
	}
	first, count := ts, 0
	for ; ts != 0 && count < maxPyThreads; count++ {
		id, err := p.nativeID(ts)
		if err != nil {
			return 0, err
		}
		if id == tid {
			return ts, nil
		}
		if ts, err = p.mem.u64(ts + l.tsNext); err != nil {
			return 0, err
		}
	}
	if count == 1 && l.tsNativeTID == 0 {
		return first, nil // one thread: no need to trust glibc's layout
	}
	return 0, nil // a thread that never ran Python
}

func (p *pyProc) nativeID(ts uint64) (uint32, error) {
	if p.lay.tsNativeTID != 0 {
		v, err := p.mem.u64(ts + p.lay.tsNativeTID)
		return uint32(v), err
	}
	pt, err := p.mem.u64(ts + p.lay.tsThreadID)
	if err != nil || pt == 0 {
		return 0, err
	}
	var b [4]byte
	if err := p.mem.read(pt+pthreadTIDOffset, b[:]); err != nil {
		return 0, nil // not glibc's layout: fall back to the one-thread rule
	}
	return binary.LittleEndian.Uint32(b[:]), nil
}

func (p *pyProc) frame(addr uint64) (event.Frame, bool, error) {
	l := &p.lay
	hdr := make([]byte, l.frameSpan())
	if err := p.mem.read(addr, hdr); err != nil {
		return event.Frame{}, false, err
	}
	u64 := func(off uint64) uint64 { return binary.LittleEndian.Uint64(hdr[off:]) }
	if l.frOwner >= 0 && l.ownerCStack >= 0 && int(hdr[l.frOwner]) == l.ownerCStack {
		return event.Frame{}, false, nil // a shim between C and Python: no code
	}
	codeAddr := u64(l.frCode)
	code, err := p.code(codeAddr)
	if err != nil {
		return event.Frame{}, false, err
	}
	var line int
	if l.minor == 10 {
		lasti := int(int32(binary.LittleEndian.Uint32(hdr[l.frInstr:])))
		line = lineOf310(code.table, code.first, lasti*2)
	} else {
		index := int(int64(u64(l.frInstr)-codeAddr-l.coCode) / 2)
		line = lineOf311(code.table, code.first, index)
	}
	return event.Frame{Symbol: code.name, File: code.file, Line: line, Lang: event.LangPython}, true, nil
}

func (p *pyProc) code(addr uint64) (*pyCode, error) {
	if c := p.codes[addr]; c != nil {
		return c, nil
	}
	l := &p.lay
	buf := make([]byte, max(l.coFilename, l.coName, l.coFirstLine, l.coLinetable)+8)
	if err := p.mem.read(addr, buf); err != nil {
		return nil, err
	}
	u64 := func(off uint64) uint64 { return binary.LittleEndian.Uint64(buf[off:]) }
	c := &pyCode{first: int(int32(binary.LittleEndian.Uint32(buf[l.coFirstLine:])))}
	var err error
	if c.file, err = p.str(u64(l.coFilename)); err != nil {
		return nil, err
	}
	if c.name, err = p.str(u64(l.coName)); err != nil {
		return nil, err
	}
	if c.table, err = p.bytesObject(u64(l.coLinetable)); err != nil {
		return nil, err
	}
	if len(p.codes) >= maxCodeCache {
		clear(p.codes)
	}
	p.codes[addr] = c
	return c, nil
}

// str reads a compact str object (every str CPython creates for code).
func (p *pyProc) str(addr uint64) (string, error) {
	var hdr [40]byte
	if err := p.mem.read(addr, hdr[:]); err != nil {
		return "", err
	}
	n := binary.LittleEndian.Uint64(hdr[16:])
	state := binary.LittleEndian.Uint32(hdr[32:])
	kind, compact, ascii := int(state>>2)&7, state>>5&1 == 1, state>>6&1 == 1
	if !compact || n > 4096 || kind < 1 || kind > 4 || kind == 3 {
		return "", errors.New("not a compact str object")
	}
	data := addr + p.lay.compactSize
	if ascii {
		data = addr + p.lay.asciiSize
	}
	raw := make([]byte, int(n)*kind)
	if n == 0 {
		return "", nil
	}
	if err := p.mem.read(data, raw); err != nil {
		return "", err
	}
	switch kind {
	case 1:
		if ascii {
			return string(raw), nil
		}
		r := make([]rune, n) // latin-1
		for i, b := range raw {
			r[i] = rune(b)
		}
		return string(r), nil
	case 2:
		u := make([]uint16, n)
		for i := range u {
			u[i] = binary.LittleEndian.Uint16(raw[2*i:])
		}
		return string(utf16.Decode(u)), nil
	default:
		r := make([]rune, n)
		for i := range r {
			r[i] = rune(binary.LittleEndian.Uint32(raw[4*i:]))
		}
		return string(r), nil
	}
}

func (p *pyProc) bytesObject(addr uint64) ([]byte, error) {
	n, err := p.mem.u64(addr + 16)
	if err != nil {
		return nil, err
	}
	if n > 1<<20 {
		return nil, fmt.Errorf("line table of %d bytes", n)
	}
	b := make([]byte, n)
	if n == 0 {
		return b, nil
	}
	return b, p.mem.read(addr+32, b)
}
