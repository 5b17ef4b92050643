package trace

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"ingero.dev/bpf/stacks"
	"ingero.dev/common/cli"
)

// stackFlags are --stack and --py-walker: call stacks of CUDA and driver
// calls, with the Python lines behind them.
type stackFlags struct {
	on        bool
	walker    string
	walkerSet bool
}

func (s *stackFlags) register(fs *flag.FlagSet) {
	// Off by default: on the stand-in's launch storm a stack adds about
	// 1.1 us to each launch's 2.2 us of probing, more with the kernel
	// Python walker (docs/benchmarks.md);
	// bench/device-stacks.sh measures what a real workload pays.
	fs.BoolVar(&s.on, "stack", false, "record the user call stack of every CUDA/driver call, symbolised to functions, source lines and Python lines (cost: docs/benchmarks.md)")
	s.walker = "auto"
	fs.Func("py-walker", "Python frames in stacks, by `MODE`: userspace reads the interpreter's memory (needs ptrace access), ebpf reads it in the kernel (works at kernel.yama.ptrace_scope 3), auto (default) is userspace unless ptrace_scope is 3", func(v string) error {
		s.walker, s.walkerSet = v, true
		return nil
	})
}

func (s *stackFlags) validate() error {
	switch s.walker {
	case "auto", "userspace", "ebpf":
	default:
		return cli.Usagef("--py-walker %s: use auto, userspace or ebpf", s.walker)
	}
	if !s.on && s.walkerSet {
		return cli.Usagef("--py-walker %s adds Python frames to call stacks, which are off: add --stack", s.walker)
	}
	return nil
}

// mode is the walker --py-walker picks on this host: auto takes the
// kernel walker only where no process may read another's memory, since
// userspace costs the probed call nothing (it reads after the fact).
func (s *stackFlags) mode() stacks.PyWalker {
	switch {
	case s.walker == "ebpf", s.walker == "auto" && ptraceScope() == "3":
		return stacks.PyEBPF
	default:
		return stacks.PyUserspace
	}
}

// resolver is nil with stacks off.
func (s *stackFlags) resolver() *stacks.Resolver {
	if !s.on {
		return nil
	}
	return stacks.NewResolver(s.mode())
}

func ptraceScope() string {
	b, _ := os.ReadFile("/proc/sys/kernel/yama/ptrace_scope")
	return strings.TrimSpace(string(b))
}

// ptraceWarning says why Python frames will be missing, or "".
func (s *stackFlags) ptraceWarning() string {
	if s.mode() != stacks.PyUserspace || ptraceScope() != "3" {
		return ""
	}
	return "kernel.yama.ptrace_scope is 3: no process may read another's memory, so stacks carry no Python frames (native frames only); --py-walker ebpf reads them in the kernel"
}

// stackSummary says at exit what --stack stored and what it could not
// read, so a stack without Python frames has a stated reason.
func stackSummary(w io.Writer, walker stacks.PyWalker, st stacks.Stats) {
	fmt.Fprintf(w, "stacks: %d distinct; Python stacks read %d times (%s walker, %d reads of process memory), %d unreadable; %d frames outside any mapping (process gone)\n",
		st.Stacks, st.PyWalks, walker, st.MemReads, st.PyFailures, st.Unresolved)
	if st.Early > 0 {
		fmt.Fprintf(w, "stacks: %d stored while a library loaded after the process was found still had its symbols loading (module names only)\n", st.Early)
	}
}
