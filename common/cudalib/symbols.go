package cudalib

import (
	"debug/elf"
	"fmt"
)

// Symbols reports which of want the ELF file at path defines as dynamic
// functions, so that a tracer can warn about each missing one (an older
// libcudart lacks newer entry points) and probe the rest. Versioned names
// ("cudaMalloc@@libcudart.so.12") match their bare name.
func Symbols(path string, want []string) (present, missing []string, err error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("reading symbols of %s: %w", path, err)
	}
	defer f.Close()
	syms, err := f.DynamicSymbols()
	if err != nil {
		return nil, nil, fmt.Errorf("reading symbols of %s: %w", path, err)
	}
	defined := make(map[string]bool, len(syms))
	for _, s := range syms {
		t := elf.ST_TYPE(s.Info)
		if s.Section != elf.SHN_UNDEF && (t == elf.STT_FUNC || t == elf.STT_GNU_IFUNC) {
			defined[s.Name] = true
		}
	}
	for _, w := range want {
		if defined[w] {
			present = append(present, w)
		} else {
			missing = append(missing, w)
		}
	}
	return present, missing, nil
}
