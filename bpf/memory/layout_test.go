package memory

import (
	"testing"

	"ingero.dev/bpf/internal/layout"
)

// TestLayoutsMatchBTF proves the Go mirrors the decoder and the fault
// drain cast onto match the object's C structs. Needs no privileges.
func TestLayoutsMatchBTF(t *testing.T) {
	spec, err := loadMemory()
	if err != nil {
		t.Fatal(err)
	}
	for name, v := range map[string]any{
		"mem_rec":    memoryMemRec{},
		"fault_key":  memoryFaultKey{},
		"fault_sum":  memoryFaultSum{},
		"mem_thread": memoryMemThread{},
		"target":     memoryTarget{},
	} {
		if err := layout.Check(spec, name, v); err != nil {
			t.Error(err)
		}
	}
}
