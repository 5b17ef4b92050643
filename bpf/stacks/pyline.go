package stacks

// lineOf310 reads CPython 3.10's line table (PEP 626) as the interpreter
// does (codeobject.c's advance): each pair is the next range's length in
// bytes (unsigned) and its line's change (signed; -128: no line). offset
// is in bytes of bytecode.
func lineOf310(table []byte, first, offset int) int {
	line, end := first, 0
	for i := 0; i+1 < len(table); i += 2 {
		start := end
		end += int(table[i])
		ldelta := int(int8(table[i+1]))
		if ldelta != -128 {
			line += ldelta
		}
		if start <= offset && offset < end {
			if ldelta == -128 {
				return 0
			}
			return line
		}
	}
	return 0
}

// lineOf311 reads the location table of CPython 3.11 and later (PEP 657):
// entries of a header byte (1 ccccc lll: code and length-1 in code units)
// followed by varints whose count depends on the code. index is in code
// units (two bytes each).
func lineOf311(table []byte, first, index int) int {
	line, addr := first, 0
	for i := 0; i < len(table); {
		h := table[i]
		i++
		if h&0x80 == 0 {
			return 0 // lost track: every entry starts with the high bit set
		}
		code, length := int(h>>3)&15, int(h&7)+1
		delta, has := 0, true
		switch {
		case code == 15: // no location
			has = false
		case code == 14: // long form: line delta, end line, column, end column
			delta, i = svarint(table, i)
			_, i = varint(table, i)
			_, i = varint(table, i)
			_, i = varint(table, i)
		case code == 13: // no column
			delta, i = svarint(table, i)
		case code >= 10: // one-line form: the line moves by code-10, two column bytes
			delta = code - 10
			i += 2
		default: // short form: same line, one column byte
			i++
		}
		line += delta
		if index >= addr && index < addr+length {
			if !has {
				return 0
			}
			return line
		}
		addr += length
	}
	return 0
}

// varint is the location table's: six bits a byte, 0x40 says more follow.
func varint(b []byte, i int) (int, int) {
	v, shift := 0, 0
	for i < len(b) {
		c := b[i]
		i++
		v |= int(c&63) << shift
		shift += 6
		if c&64 == 0 {
			break
		}
	}
	return v, i
}

func svarint(b []byte, i int) (int, int) {
	v, i := varint(b, i)
	if v&1 != 0 {
		return -(v >> 1), i
	}
	return v >> 1, i
}
