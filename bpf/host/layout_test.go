package host

import (
	"testing"

	"ingero.dev/bpf/internal/layout"
)

// TestLayoutsMatchBTF proves the Go mirrors the decoder and the summary
// drain cast onto match the object's C structs. Needs no privileges.
func TestLayoutsMatchBTF(t *testing.T) {
	spec, err := loadHost()
	if err != nil {
		t.Fatal(err)
	}
	for name, v := range map[string]any{
		"host_rec":       hostHostRec{},
		"contention":     hostContention{},
		"contention_key": hostContentionKey{},
		"offcpu":         hostOffcpu{},
		"target":         hostTarget{},
	} {
		if err := layout.Check(spec, name, v); err != nil {
			t.Error(err)
		}
	}
}
