package blockio

import (
	"errors"
	"testing"

	"github.com/cilium/ebpf"

	"ingero.dev/bpf/internal/testenv"
	"ingero.dev/bpf/shared"
	"ingero.dev/bpf/sysreq"
)

// TestLoadAndAttach puts every program through the verifier and attaches
// all tracepoints. Only a kernel without block_io_start may warn.
func TestLoadAndAttach(t *testing.T) {
	testenv.RequireBPF(t)
	if err := sysreq.Prepare(); err != nil {
		t.Fatal(err)
	}
	m, err := shared.New()
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	tr, err := Load(m, Options{RingBytes: 1 << 16})
	var ve *ebpf.VerifierError
	if errors.As(err, &ve) {
		t.Fatalf("%-50v", ve)
	}
	if err != nil {
		t.Fatal(err)
	}
	warnings, err := tr.Attach()
	if err != nil {
		t.Fatal(err)
	}
	if tr.bySubmitter && len(warnings) > 0 || !tr.bySubmitter && len(warnings) != 1 {
		t.Errorf("block_io_start loaded: %v; warnings: %v", tr.bySubmitter, warnings)
	}
	if _, err := tr.Unmatched(); err != nil {
		t.Error(err)
	}
	if err := tr.Close(); err != nil {
		t.Errorf("closing: %v", err)
	}
}
