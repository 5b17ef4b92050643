package stacks

import (
	"debug/dwarf"
	"debug/elf"
	"fmt"
	"sort"
)

// module is what one ELF file says about its addresses: function symbols
// and, when built with -g, the line of each instruction. Loaded once per
// build ID (or file identity when it has none) and shared by every process
// that maps the file.
type module struct {
	loads []elf.ProgHeader
	syms  []symbol // by address
	lines []lineRow
}

type symbol struct {
	addr, size uint64
	name       string
}

type lineRow struct {
	addr uint64
	file string
	line int
	end  bool // end of a sequence: no line covers addresses from here
}

func loadModule(path string) (*module, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	defer f.Close()
	m := &module{}
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD {
			m.loads = append(m.loads, p.ProgHeader)
		}
	}
	m.syms = functionSymbols(f)
	// Without debug info (the common case for vendor libraries) a frame
	// gets its symbol only.
	if d, err := f.DWARF(); err == nil {
		m.lines = lineRows(d)
	}
	return m, nil
}

func functionSymbols(f *elf.File) []symbol {
	var out []symbol
	seen := map[uint64]bool{}
	add := func(ss []elf.Symbol) {
		for _, s := range ss {
			if elf.ST_TYPE(s.Info) != elf.STT_FUNC || s.Value == 0 || seen[s.Value] {
				continue
			}
			seen[s.Value] = true
			out = append(out, symbol{addr: s.Value, size: s.Size, name: s.Name})
		}
	}
	if ss, err := f.Symbols(); err == nil {
		add(ss)
	}
	if ss, err := f.DynamicSymbols(); err == nil {
		add(ss)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].addr < out[j].addr })
	return out
}

func lineRows(d *dwarf.Data) []lineRow {
	var out []lineRow
	r := d.Reader()
	for {
		cu, err := r.Next()
		if err != nil || cu == nil {
			break
		}
		if cu.Tag != dwarf.TagCompileUnit {
			r.SkipChildren()
			continue
		}
		lr, err := d.LineReader(cu)
		r.SkipChildren()
		if err != nil || lr == nil {
			continue
		}
		var e dwarf.LineEntry
		for lr.Next(&e) == nil {
			row := lineRow{addr: e.Address, line: e.Line, end: e.EndSequence}
			if e.File != nil {
				row.file = e.File.Name
			}
			out = append(out, row)
		}
	}
	// Stable: at one address the row that comes last in the program wins,
	// unless it ends a sequence another starts at the same address.
	sort.SliceStable(out, func(i, j int) bool { return out[i].addr < out[j].addr })
	return out
}

// vaddr converts a file offset to the address the ELF file links it at.
func (m *module) vaddr(off uint64) (uint64, bool) {
	for _, p := range m.loads {
		if off >= p.Off && off < p.Off+p.Filesz {
			return off - p.Off + p.Vaddr, true
		}
	}
	return 0, false
}

func (m *module) symbolAt(pc uint64) string {
	i := sort.Search(len(m.syms), func(i int) bool { return m.syms[i].addr > pc }) - 1
	if i < 0 {
		return ""
	}
	s := m.syms[i]
	if s.size != 0 && pc >= s.addr+s.size {
		return ""
	}
	return s.name
}

func (m *module) lineAt(pc uint64) (string, int) {
	i := sort.Search(len(m.lines), func(i int) bool { return m.lines[i].addr > pc }) - 1
	if i < 0 {
		return "", 0
	}
	// A sequence's end and the next sequence's start may share an
	// address: the start is the one that covers pc.
	for a := m.lines[i].addr; i >= 0 && m.lines[i].addr == a; i-- {
		if !m.lines[i].end {
			return m.lines[i].file, m.lines[i].line
		}
	}
	return "", 0
}
