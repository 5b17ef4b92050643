package memory

import (
	"errors"
	"testing"

	"github.com/cilium/ebpf"

	"ingero.dev/bpf/internal/testenv"
	"ingero.dev/bpf/shared"
	"ingero.dev/bpf/sysreq"
)

// TestLoadAndAttach puts every program through the verifier and attaches
// all of them, on both ways of telling file faults from swap-ins.
func TestLoadAndAttach(t *testing.T) {
	for _, byVMA := range []bool{false, true} {
		t.Run(map[bool]string{false: "filemap", true: "vma"}[byVMA], func(t *testing.T) { loadAndAttach(t, byVMA) })
	}
}

func loadAndAttach(t *testing.T, byVMA bool) {
	testenv.RequireBPF(t)
	if err := sysreq.Prepare(); err != nil {
		t.Fatal(err)
	}
	m, err := shared.New()
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	tr, err := Load(m, Options{RingBytes: 1 << 16, classifyByVMA: byVMA})
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
	if len(warnings) > 0 {
		t.Errorf("warnings: %v", warnings)
	}
	if err := tr.Close(); err != nil {
		t.Errorf("closing: %v", err)
	}
}
