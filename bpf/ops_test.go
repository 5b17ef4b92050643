package bpf

import (
	"bytes"
	"os"
	"testing"

	"ingero.dev/bpf/internal/opsheader"
)

// TestOpsHeaderMatchesContract fails when include/ops.h no longer says
// what common/event says: run go generate in bpf/.
func TestOpsHeaderMatchesContract(t *testing.T) {
	got, err := os.ReadFile("include/ops.h")
	if err != nil {
		t.Fatal(err)
	}
	if want := opsheader.Render(); !bytes.Equal(got, want) {
		t.Error("include/ops.h is stale: run go generate in bpf/ and regenerate the objects")
	}
}
