package nccl

import (
	"testing"

	"ingero.dev/bpf/internal/layout"
)

// TestLayoutsMatchBTF proves the Go mirrors match the object's C structs.
// Needs no privileges.
func TestLayoutsMatchBTF(t *testing.T) {
	spec, err := loadNccl()
	if err != nil {
		t.Fatal(err)
	}
	for name, v := range map[string]any{
		"nccl_rec":     ncclNcclRec{},
		"comm_info":    ncclCommInfo{},
		"comm_key":     ncclCommKey{},
		"pending_init": ncclPendingInit{},
		"nccl_call":    ncclNcclCall{},
		"target":       ncclTarget{},
	} {
		if err := layout.Check(spec, name, v); err != nil {
			t.Error(err)
		}
	}
}
