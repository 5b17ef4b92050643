package shared

import (
	"testing"

	"ingero.dev/bpf/internal/layout"
)

// TestLayoutsMatchBTF proves the Go mirrors of the shared map values match
// the C. Needs no privileges.
func TestLayoutsMatchBTF(t *testing.T) {
	spec, err := Spec()
	if err != nil {
		t.Fatal(err)
	}
	for name, v := range map[string]any{"target": mapsTarget{}, "settings": mapsSettings{}} {
		if err := layout.Check(spec, name, v); err != nil {
			t.Error(err)
		}
	}
}

// TestFamiliesShareMapDefinitions: every family declares the shared maps
// identically (they come from one header), or map replacement would fail
// at load time.
func TestFamiliesShareMapDefinitions(t *testing.T) {
	spec, err := Spec()
	if err != nil {
		t.Fatal(err)
	}
	for name := range (&Maps{}).Replacements() {
		if _, ok := spec.Maps[name]; !ok {
			t.Errorf("shared map %s missing from the shared object", name)
		}
	}
}
