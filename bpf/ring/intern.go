package ring

// Interner turns the kernel's fixed 16-byte task names into strings
// without allocating per event: a process's threads repeat a handful of
// names millions of times. Not safe for concurrent use; each reader
// goroutine owns one.
type Interner struct {
	m map[[16]byte]string
}

// maxInterned bounds the table; past it, names are still returned, just
// not kept (a fork bomb of unique names cannot grow memory without bound).
const maxInterned = 1 << 16

// Comm returns the string of a NUL-padded task name.
func (in *Interner) Comm(b [16]byte) string {
	if s, ok := in.m[b]; ok {
		return s
	}
	n := 0
	for n < len(b) && b[n] != 0 {
		n++
	}
	s := string(b[:n])
	if in.m == nil {
		in.m = make(map[[16]byte]string)
	}
	if len(in.m) < maxInterned {
		in.m[b] = s
	}
	return s
}
