// Package layout proves a Go struct mirrors a C struct of a BPF object:
// same size, and each member at the same offset with the same size, nested
// structs and arrays included. Decoders cast ring records onto the Go
// types, so a drift between the C and the committed Go would garble every
// event; this check needs no privileges (it reads the object's BTF), so it
// runs in every test run.
package layout

import (
	"errors"
	"fmt"
	"reflect"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"
)

// Check compares the C struct cName in spec's BTF with goValue's type.
func Check(spec *ebpf.CollectionSpec, cName string, goValue any) error {
	var st *btf.Struct
	if err := spec.Types.TypeByName(cName, &st); err != nil {
		return fmt.Errorf("finding struct %s in BTF: %w", cName, err)
	}
	return compare(cName, st, reflect.TypeOf(goValue))
}

func compare(path string, st *btf.Struct, gt reflect.Type) error {
	if gt.Kind() != reflect.Struct {
		return fmt.Errorf("%s: Go type %s is not a struct", path, gt)
	}
	if uintptr(st.Size) != gt.Size() {
		return fmt.Errorf("%s: C size %d, Go size %d", path, st.Size, gt.Size())
	}
	fields := namedFields(gt)
	if len(fields) != len(st.Members) {
		return fmt.Errorf("%s: C has %d members, Go %d fields", path, len(st.Members), len(fields))
	}
	var errs []error
	for i, m := range st.Members {
		f := fields[i]
		p := path + "." + m.Name
		if off := uintptr(m.Offset.Bytes()); off != f.Offset {
			errs = append(errs, fmt.Errorf("%s: C offset %d, Go field %s at %d", p, off, f.Name, f.Offset))
			continue
		}
		size, err := btf.Sizeof(m.Type)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", p, err))
			continue
		}
		if uintptr(size) != f.Type.Size() {
			errs = append(errs, fmt.Errorf("%s: C size %d, Go field %s size %d", p, size, f.Name, f.Type.Size()))
			continue
		}
		if inner, ok := btf.UnderlyingType(m.Type).(*btf.Struct); ok {
			errs = append(errs, compare(p, inner, f.Type))
		}
	}
	return errors.Join(errs...)
}

// namedFields drops the blank fields bpf2go adds (structs.HostLayout and
// explicit padding), which have no C member.
func namedFields(t reflect.Type) []reflect.StructField {
	var out []reflect.StructField
	for i := range t.NumField() {
		if f := t.Field(i); f.Name != "_" {
			out = append(out, f)
		}
	}
	return out
}
