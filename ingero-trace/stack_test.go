package trace

import (
	"testing"

	"ingero.dev/bpf/stacks"
)

// TestPyWalkerMode: ebpf and userspace are taken as asked; auto is the
// kernel walker only where ptrace_scope 3 forbids reading memory.
func TestPyWalkerMode(t *testing.T) {
	for walker, want := range map[string]stacks.PyWalker{"ebpf": stacks.PyEBPF, "userspace": stacks.PyUserspace} {
		if got := (&stackFlags{on: true, walker: walker}).mode(); got != want {
			t.Errorf("--py-walker %s: %v, want %v", walker, got, want)
		}
	}
	want := stacks.PyUserspace
	if ptraceScope() == "3" {
		want = stacks.PyEBPF
	}
	s := &stackFlags{on: true, walker: "auto"}
	if got := s.mode(); got != want {
		t.Errorf("--py-walker auto at ptrace_scope %q: %v, want %v", ptraceScope(), got, want)
	}
	if r := s.resolver(); r.Walker() != want {
		t.Errorf("the resolver walks with %v, want %v", r.Walker(), want)
	}
	if w := (&stackFlags{on: true, walker: "ebpf"}).ptraceWarning(); w != "" {
		t.Errorf("the kernel walker warns %q", w)
	}
}
