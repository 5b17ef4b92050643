package cuda

import (
	"testing"

	"ingero.dev/bpf/internal/layout"
)

// TestLayoutsMatchBTF proves the Go mirrors the decoder casts records onto
// match the object's C structs. Needs no privileges.
func TestLayoutsMatchBTF(t *testing.T) {
	spec, err := loadCuda()
	if err != nil {
		t.Fatal(err)
	}
	for name, v := range map[string]any{
		"cuda_rec":    cudaCudaRec{},
		"stack_tail":  cudaStackTail{},
		"call":        cudaCall{},
		"target":      cudaTarget{},
		"settings":    cudaSettings{},
		"py_tail":     cudaPyTail{},
		"py_proc":     cudaPyProc{},
		"py_code":     cudaPyCode{},
		"py_code_key": cudaPyCodeKey{},
		"py_tstate":   cudaPyTstate{},
	} {
		if err := layout.Check(spec, name, v); err != nil {
			t.Error(err)
		}
	}
}

// TestLayoutCheckCatchesDrift: a mirror with two fields swapped, or one
// field too many, is refused.
func TestLayoutCheckCatchesDrift(t *testing.T) {
	spec, err := loadCuda()
	if err != nil {
		t.Fatal(err)
	}
	type swapped struct {
		SampleEvery uint16
		Pad         uint16
		More        uint32
	}
	type longer struct {
		SampleEvery uint32
		Pad         uint32
		Extra       uint64
	}
	for _, v := range []any{swapped{}, longer{}} {
		if err := layout.Check(spec, "settings", v); err == nil {
			t.Errorf("%T passed as struct settings", v)
		}
	}
}
