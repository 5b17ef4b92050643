package explain

import (
	"strconv"
	"strings"
	"testing"

	"ingero.dev/common/event"
	"ingero.dev/common/recording/recordingtest"
)

// TestChainNamesItsPythonLine: with stacks recorded, the preemption chain
// on cudaStreamSynchronize names the Python line that makes the syncs.
func TestChainNamesItsPythonLine(t *testing.T) {
	rec := fixture()
	rec.Stacks = []event.Stack{{ID: 0x51, Frames: []event.Frame{
		{IP: 0x10, Symbol: "cudaStreamSynchronize", Module: "libcudart.so.12"},
		{Symbol: "train_step", File: "/w/train.py", Line: 88, Lang: event.LangPython},
		{Symbol: "<module>", File: "/w/train.py", Line: 120, Lang: event.LangPython},
	}}}
	syncs := int64(0)
	for i := range rec.Events {
		if e := &rec.Events[i]; e.Op == event.CudaStreamSynchronize && e.PID == 4821 {
			e.StackID = 0x51
			syncs++
		}
	}
	for _, path := range []string{recordingtest.WriteDB(t, rec), recordingtest.WriteStream(t, rec)} {
		r := run(t, "-d", path, "--since", "10m")
		want := "Call site: train.py:88 (train_step) (" + itoa(syncs) + " of " + itoa(syncs) + " cudaStreamSynchronize calls with a stack)\n"
		if r.code != 0 || !strings.Contains(r.out, want) {
			t.Errorf("%s: exit %d, want %q in:\n%s%s", path, r.code, want, r.out, r.err)
		}
		r = run(t, "-d", path, "--since", "10m", "--json")
		if !strings.Contains(r.out, `"call_site": "train.py:88 (train_step)"`) {
			t.Errorf("%s: --json has no call_site:\n%s", path, r.out)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
