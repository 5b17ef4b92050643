package standin

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestZZDebug(t *testing.T) {
	art := Require(t)
	bad := 0
	for i := 0; i < 100; i++ {
		stats := filepath.Join(t.TempDir(), "driver.json")
		runWorkload(t, art, []string{"STANDIN_DRIVER_STATS=" + stats}, "--pattern", "basic")
		b, _ := os.ReadFile(stats)
		if !strings.Contains(string(b), `"cuCtxSynchronize":1,"cuGetExportTable"`) && !strings.Contains(strings.SplitN(string(b), "direct", 2)[0], "cuMemAlloc") {
			bad++
			if bad < 3 {
				t.Log(string(b))
			}
		}
	}
	t.Log("bad", bad)
}
