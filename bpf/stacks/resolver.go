package stacks

import (
	"encoding/binary"
	"hash/fnv"
	"os"
	"path/filepath"
	"sync"
	"time"

	"ingero.dev/common/event"
)

// PyWalker says whether and how Python frames are read.
type PyWalker int

const (
	PyOff       PyWalker = iota
	PyUserspace          // process_vm_readv on the interpreter's state
	PyEBPF               // frames read in the kernel (ResolveKernel); nothing read here
)

func (w PyWalker) String() string {
	switch w {
	case PyUserspace:
		return "userspace"
	case PyEBPF:
		return "ebpf"
	}
	return "off"
}

// Resolver turns raw stacks into stored stack IDs. Safe for concurrent use.
type Resolver struct {
	py PyWalker

	mu      sync.Mutex
	procs   map[uint32]*proc
	modules map[string]*modSlot // by build ID, or path and identity
	loads   sync.WaitGroup      // modules loading in the background
	seen    map[uint64]bool     // stack IDs already handed out
	pending []event.Stack       // new stacks not yet taken by Drain
	raw     map[rawKey]uint64   // native stack of a process -> stack ID
	natives map[rawKey][]event.Frame
	mixed   map[mixedKey]uint64 // native stack and one Python walk -> stack ID
	kernel  map[rawKey]uint64   // native stack and the kernel's Python frames -> stack ID
	pyCache map[uint32]pyHit    // per thread: its last Python walk
	pySeq   uint64
	stats   Stats
}

// Stats count what resolving cost and what it could not do.
type Stats struct {
	Stacks      uint64 // distinct stacks stored
	PyWalks     uint64 // Python stacks read
	PyFailures  uint64 // Python stacks that could not be read
	MemReads    uint64 // reads of a traced process's memory (process_vm_readv), all walkers
	Unresolved  uint64 // frames with no module (the process was gone)
	ModuleLoads uint64
	Early       uint64 // stacks stored before their libraries' symbols were loaded
}

// modSlot is a module being loaded or loaded: m is set before ready closes.
type modSlot struct {
	m     *module
	ready chan struct{}
}

type rawKey struct {
	pid  uint32
	hash uint64
}

type pyHit struct {
	at     time.Time
	native uint64
	seq    uint64 // which walk: a stack ID is reused while the walk is
	frames []event.Frame
}

type mixedKey struct {
	raw rawKey
	py  uint64
}

// pyReuse is how long a thread's Python stack stands for its next calls
// from the same native stack: a launch storm would otherwise read the
// interpreter's memory for every launch.
const pyReuse = time.Millisecond

type proc struct {
	maps     []mapping
	readAt   time.Time
	py       *pyProc
	pyErr    error
	root     string
	modByMap map[string]*modSlot
}

const maxProcs = 4096

// NewResolver returns a Resolver; py says whether to read Python frames.
func NewResolver(py PyWalker) *Resolver {
	return &Resolver{py: py, procs: map[uint32]*proc{}, modules: map[string]*modSlot{},
		seen: map[uint64]bool{}, raw: map[rawKey]uint64{}, natives: map[rawKey][]event.Frame{},
		mixed: map[mixedKey]uint64{}, kernel: map[rawKey]uint64{}, pyCache: map[uint32]pyHit{}}
}

// Resolve returns the ID of the stack of return addresses ips (innermost
// first) seen in thread tid of process pid, storing it if new.
func (r *Resolver) Resolve(pid, tid uint32, ips []uint64) uint64 {
	if len(ips) == 0 {
		return 0
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.resolve(pid, tid, ips)
}

func (r *Resolver) resolve(pid, tid uint32, ips []uint64) uint64 {
	if len(ips) == 0 {
		return 0
	}
	key := rawKey{pid: pid, hash: hashIPs(ips)}
	p := r.proc(pid)
	if p.py == nil || r.py != PyUserspace {
		if id, ok := r.raw[key]; ok {
			return id
		}
		frames, complete := r.native(pid, p, ips)
		id := r.store(frames, complete)
		if !complete {
			return id // resolved again once the symbols are in
		}
		if len(r.raw) > 1<<20 {
			clear(r.raw)
		}
		r.raw[key] = id
		return id
	}
	// A Python process: its native frames are resolved once per native
	// stack, its Python frames once per walk (pyReuse), and their union
	// hashed once per pair.
	py := r.pyFrames(p, tid, key.hash)
	mk := mixedKey{raw: key, py: py.seq}
	if id, ok := r.mixed[mk]; ok {
		return id
	}
	native, complete := r.natives[key]
	if !complete {
		native, complete = r.native(pid, p, ips)
		if complete {
			if len(r.natives) > 1<<16 {
				clear(r.natives)
			}
			r.natives[key] = native
		}
	}
	id := r.store(splice(native, py.frames, filepath.Base(p.py.path)), complete)
	if !complete {
		return id
	}
	if len(r.mixed) > 1<<18 {
		clear(r.mixed)
	}
	r.mixed[mk] = id
	return id
}

// store returns frames' ID, keeping the stack for Drain the first time.
func (r *Resolver) store(frames []event.Frame, complete bool) uint64 {
	id := stackID(frames)
	if !r.seen[id] {
		r.seen[id] = true
		r.stats.Stacks++
		if !complete {
			r.stats.Early++
		}
		r.pending = append(r.pending, event.Stack{ID: id, Frames: frames})
	}
	return id
}

// Drain returns the stacks stored since the last call.
func (r *Resolver) Drain() []event.Stack {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.pending
	r.pending = nil
	return out
}

// Stats returns the counters so far.
func (r *Resolver) Stats() Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := r.stats
	st.MemReads = memReads.Load()
	return st
}

// Track reads a process's mappings (and finds its interpreter) now, so
// that its records resolve even when they are read after it exited.
// Calling it again re-reads them.
func (r *Resolver) Track(pid uint32) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.procs[pid]; ok {
		// The PID may now be another program: forget its stacks.
		for k := range r.raw {
			if k.pid == pid {
				delete(r.raw, k)
			}
		}
		for k := range r.natives {
			if k.pid == pid {
				delete(r.natives, k)
			}
		}
		for k := range r.kernel {
			if k.pid == pid {
				delete(r.kernel, k)
			}
		}
		delete(r.procs, pid)
	}
	p := r.proc(pid)
	var loading []*modSlot
	for _, m := range p.maps {
		slot := r.startLoad(p, m.path)
		select {
		case <-slot.ready:
		default:
			loading = append(loading, slot)
		}
	}
	// Waited for without the lock: the reader goes on meanwhile, and the
	// caller, which adds the process to the probes after this, makes its
	// first records find the symbols loaded.
	r.mu.Unlock()
	for _, slot := range loading {
		<-slot.ready
	}
	r.mu.Lock()
}

func (r *Resolver) proc(pid uint32) *proc {
	if p := r.procs[pid]; p != nil {
		return p
	}
	if len(r.procs) >= maxProcs {
		clear(r.procs)
	}
	p := &proc{root: rootOf(pid), modByMap: map[string]*modSlot{}}
	p.maps, _ = readMaps(pid)
	p.readAt = time.Now()
	if r.py != PyOff {
		p.py, p.pyErr = findPython(pid, p.maps, p.root, r.py == PyEBPF)
	}
	r.procs[pid] = p
	return p
}

// rootOf opens a process's files through its own mount namespace, so a
// container's libraries are read, not the host's files of the same name.
func rootOf(pid uint32) string {
	root := "/proc/" + itoa(pid) + "/root"
	if _, err := os.Stat(root); err != nil {
		return ""
	}
	return root
}

// native symbolises ips; complete is false when a library's symbols were
// still loading, so that the result is not cached.
func (r *Resolver) native(pid uint32, p *proc, ips []uint64) (out []event.Frame, complete bool) {
	out, complete = make([]event.Frame, 0, len(ips)), true
	for _, ip := range ips {
		m := findMapping(p.maps, ip)
		// A library loaded since the mappings were read: read them again,
		// at most ten times a second.
		if m == nil && time.Since(p.readAt) > 100*time.Millisecond {
			if ms, err := readMaps(pid); err == nil {
				p.maps = ms
			}
			p.readAt = time.Now()
			m = findMapping(p.maps, ip)
		}
		f := event.Frame{IP: ip}
		if m == nil {
			r.stats.Unresolved++
			out = append(out, f)
			continue
		}
		f.Module = filepath.Base(m.path)
		mod, loaded := r.module(p, m.path)
		complete = complete && loaded
		if mod != nil {
			if va, ok := mod.vaddr(ip - m.start + m.offset); ok {
				// A return address: the call is the instruction before it.
				f.Symbol = mod.symbolAt(va - 1)
				f.File, f.Line = mod.lineAt(va - 1)
			}
		}
		out = append(out, f)
	}
	return out, complete
}

// module returns a library's symbols without waiting for them: a big
// one (libtorch's symbol tables take seconds) loads in the background
// while the reader goes on, since a reader that stops overflows the ring.
// loaded is false until it is in.
func (r *Resolver) module(p *proc, path string) (m *module, loaded bool) {
	slot := r.startLoad(p, path)
	select {
	case <-slot.ready:
		return slot.m, true
	default:
		return nil, false
	}
}

// startLoad returns path's slot, starting its load the first time any
// process maps the file.
func (r *Resolver) startLoad(p *proc, path string) *modSlot {
	if slot, ok := p.modByMap[path]; ok {
		return slot
	}
	full := p.root + path
	if _, err := os.Stat(full); err != nil {
		full = path // the process is gone: its files most likely are not
	}
	key := fileKey(full)
	slot, ok := r.modules[key]
	if !ok {
		r.stats.ModuleLoads++
		slot = &modSlot{ready: make(chan struct{})}
		r.modules[key] = slot
		r.loads.Add(1)
		go func() {
			defer r.loads.Done()
			slot.m, _ = loadModule(full) // unreadable: frames keep their module name only
			close(slot.ready)
		}()
	}
	p.modByMap[path] = slot
	return slot
}

func (r *Resolver) pyFrames(p *proc, tid uint32, native uint64) pyHit {
	if h, ok := r.pyCache[tid]; ok && h.native == native && time.Since(h.at) < pyReuse {
		return h
	}
	frames, err := p.py.frames(tid)
	r.stats.PyWalks++
	if err != nil {
		r.stats.PyFailures++
	}
	if len(r.pyCache) > 1<<16 {
		clear(r.pyCache)
	}
	r.pySeq++
	h := pyHit{at: time.Now(), native: native, seq: r.pySeq, frames: frames}
	r.pyCache[tid] = h
	return h
}

// splice puts the Python frames where the interpreter's native frames
// begin (the innermost frame in its module), or after the native frames
// when the walk never reached the interpreter (no frame pointers).
func splice(native, py []event.Frame, interp string) []event.Frame {
	at := len(native)
	for i, f := range native {
		if f.Module == interp {
			at = i
			break
		}
	}
	out := make([]event.Frame, 0, len(native)+len(py))
	out = append(out, native[:at]...)
	out = append(out, py...)
	return append(out, native[at:]...)
}

// stackID hashes what a stack means, not where it was loaded: the same
// call site gets the same ID in every process, run and node.
func stackID(frames []event.Frame) uint64 {
	h := fnv.New64a()
	var b [8]byte
	for _, f := range frames {
		h.Write([]byte(f.Module))
		h.Write([]byte{0})
		h.Write([]byte(f.Symbol))
		h.Write([]byte{0})
		h.Write([]byte(f.File))
		h.Write([]byte{0})
		binary.LittleEndian.PutUint64(b[:], uint64(f.Line))
		h.Write(b[:])
		h.Write([]byte(f.Lang))
		if f.Symbol == "" && f.Lang == "" {
			// Nothing symbolic: only the address tells frames apart.
			binary.LittleEndian.PutUint64(b[:], f.IP)
			h.Write(b[:])
		}
		h.Write([]byte{1})
	}
	id := h.Sum64()
	if id == 0 {
		id = 1 // 0 means "no stack"
	}
	return id
}

func hashIPs(ips []uint64) uint64 {
	h := fnv.New64a()
	var b [8]byte
	for _, ip := range ips {
		binary.LittleEndian.PutUint64(b[:], ip)
		h.Write(b[:])
	}
	return h.Sum64()
}
