package trace

import (
	"io"
	"os"
	"testing"

	"ingero.dev/common/cudalib"
)

// On a GPU host trace's own process maps libcuda (through NVML); it must
// not pick itself as a target, under any selection.
func TestTargetsNeverSelectTrace(t *testing.T) {
	t.Setenv("SUDO_USER", "")
	for name, c := range map[string]*config{
		"every process": {},
		"--pid":         {pids: pidList{uint32(os.Getpid()), 4242}},
	} {
		tg := newTargets(c, nil, io.Discard)
		if tg.select_(&cudalib.Process{PID: os.Getpid()}) {
			t.Errorf("%s: trace selected its own PID %d", name, os.Getpid())
		}
		if !tg.select_(&cudalib.Process{PID: 4242}) {
			t.Errorf("%s: PID 4242 not selected", name)
		}
	}
}
