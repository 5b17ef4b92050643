package net

import (
	"testing"

	"ingero.dev/bpf/internal/layout"
)

// TestLayoutsMatchBTF proves the Go mirrors match the object's C structs.
func TestLayoutsMatchBTF(t *testing.T) {
	spec, err := loadNet()
	if err != nil {
		t.Fatal(err)
	}
	for name, v := range map[string]any{"net_rec": netNetRec{}, "sock_call": netSockCall{}, "target": netTarget{}} {
		if err := layout.Check(spec, name, v); err != nil {
			t.Error(err)
		}
	}
}
