package cuda

import (
	"errors"
	"testing"

	"github.com/cilium/ebpf"

	"ingero.dev/bpf/internal/testenv"
	"ingero.dev/bpf/shared"
	"ingero.dev/bpf/stacks"
	"ingero.dev/bpf/sysreq"
)

// TestLoadVerifies puts every program through the verifier, in both launch
// modes, with stacks and with the kernel Python walker, sharing the maps as
// the trace command does.
func TestLoadVerifies(t *testing.T) {
	testenv.RequireBPF(t)
	if err := sysreq.Prepare(); err != nil {
		t.Fatal(err)
	}
	m, err := shared.New()
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	for _, o := range []struct {
		latency bool
		stacks  StackResolver
	}{{false, nil}, {true, nil}, {false, stacks.NewResolver(stacks.PyUserspace)}, {true, stacks.NewResolver(stacks.PyEBPF)}} {
		latency := o.latency
		tr, err := Load(m, Options{RingBytes: 1 << 16, LaunchLatency: latency, Stacks: o.stacks})
		var ve *ebpf.VerifierError
		if errors.As(err, &ve) {
			t.Fatalf("launch latency %v, stacks %T: %-50v", latency, o.stacks, ve)
		}
		if err != nil {
			t.Fatalf("launch latency %v: %v", latency, err)
		}
		if err := tr.Close(); err != nil {
			t.Errorf("closing: %v", err)
		}
	}
}
