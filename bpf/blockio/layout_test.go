package blockio

import (
	"testing"

	"ingero.dev/bpf/internal/layout"
)

// TestLayoutsMatchBTF proves the Go mirrors the decoder casts onto match
// the object's C structs. Needs no privileges.
func TestLayoutsMatchBTF(t *testing.T) {
	spec, err := loadBlockio()
	if err != nil {
		t.Fatal(err)
	}
	for name, v := range map[string]any{
		"io_rec":   blockioIoRec{},
		"inflight": blockioInflight{},
		"target":   blockioTarget{},
	} {
		if err := layout.Check(spec, name, v); err != nil {
			t.Error(err)
		}
	}
}
