package standin

import (
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// What runtime init asks of the driver: one cuGetProcAddress_v2 per entry
// point in runtime_init.c, cuInit, and the private table.
var runtimeInit = counts{"cuInit": 1, "cuGetProcAddress_v2": 18, "cuGetExportTable": 1}

// The driver counts each call by where it returned to. Runtime calls must
// arrive from libcudart's text through the cuGetProcAddress pointers, one
// exported driver call per runtime call (none for captured launches, 2D and
// peer copies, or anything with STANDIN_RUNTIME_ONLY=1); the workload's own
// driver calls must arrive as direct.
func TestRuntimeCallsTheDriverThroughItsPointers(t *testing.T) {
	art := artifacts(t)
	for _, tc := range []struct {
		pattern     string
		runtimeOnly bool
		fromRuntime counts
	}{
		{"basic", false, merge(runtimeInit, counts{
			"cuLaunchKernel": 10, "cuMemAlloc_v2": 4, "cuMemFree_v2": 4, "cuMemcpyHtoD_v2": 1,
			"cuMemcpyDtoH_v2": 1, "cuMemcpyDtoD_v2": 1, "cuMemcpyHtoDAsync_v2": 1, "cuMemcpyDtoHAsync_v2": 1,
			"cuStreamSynchronize": 1, "cuCtxSynchronize": 1,
		})},
		{"coverage", false, merge(runtimeInit, counts{
			"cuLaunchKernel": 1, "cuLaunchKernel_ptsz": 1, "cuMemAlloc_v2": 1, "cuMemAllocManaged": 1,
			"cuMemFree_v2": 2, "cuMemcpyHtoD_v2": 1, "cuMemcpyDtoHAsync_v2": 1, "cuStreamSynchronize": 2,
			"cuCtxSynchronize": 1, "cuGraphLaunch": 5,
		})},
		{"memcpy-heavy", false, merge(runtimeInit, counts{
			"cuMemAlloc_v2": 2, "cuMemFree_v2": 2, "cuMemcpyHtoD_v2": 16, "cuMemcpyDtoH_v2": 16,
			"cuMemcpyDtoD_v2": 8, "cuMemcpy": 2, "cuMemcpyHtoDAsync_v2": 8, "cuMemcpyDtoHAsync_v2": 8,
			"cuMemcpyDtoDAsync_v2": 1, "cuMemcpyAsync": 1, "cuStreamSynchronize": 2,
		})},
		{"basic", true, runtimeInit},
		{"coverage", true, runtimeInit},
	} {
		stats := filepath.Join(t.TempDir(), "driver.json")
		env := []string{"STANDIN_DRIVER_STATS=" + stats}
		if tc.runtimeOnly {
			env = append(env, "STANDIN_RUNTIME_ONLY=1")
		}
		c := runWorkload(t, art, env, "--pattern", tc.pattern)
		got, err := ReadDriverStats(stats)
		if err != nil {
			t.Fatal(err)
		}
		if got.PID != c.PID {
			t.Errorf("%s: stats of pid %d, workload %d", tc.pattern, got.PID, c.PID)
		}
		if !maps.Equal(got.Runtime, tc.fromRuntime) {
			t.Errorf("%s (runtime only %v): from libcudart\n got %v\nwant %v", tc.pattern, tc.runtimeOnly, got.Runtime, tc.fromRuntime)
		}
		direct := counts{"cuInit": 1}
		for fn, n := range c.Calls {
			if strings.HasPrefix(fn, "cu") && !strings.HasPrefix(fn, "cuda") {
				direct[fn] += n
			}
		}
		if !maps.Equal(got.Direct, direct) {
			t.Errorf("%s: direct\n got %v\nwant %v", tc.pattern, got.Direct, direct)
		}
		if len(got.Unknown) != 0 {
			t.Errorf("%s: calls from no loaded object: %v", tc.pattern, got.Unknown)
		}
		if n := got.Total("cuMemAlloc_v2"); n != tc.fromRuntime["cuMemAlloc_v2"]+direct["cuMemAlloc_v2"] {
			t.Errorf("%s: Total(cuMemAlloc_v2) = %d", tc.pattern, n)
		}
	}
}

func TestReadDriverStatsErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := ReadDriverStats(filepath.Join(dir, "none")); err == nil {
		t.Error("missing file: want an error")
	}
	for name, content := range map[string]string{
		"bad": "{", "empty": "{}", "no unknown": `{"pid":1,"runtime":{},"direct":{}}`,
	} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadDriverStats(p); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
}
