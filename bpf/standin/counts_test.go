package standin

import (
	"strings"
	"testing"
	"time"
)

func TestParseCounts(t *testing.T) {
	c, err := ParseCounts([]byte(`{"pid":42,"tids":[42,43],"pattern":"basic","iterations":3,"elapsed_ns":9,` +
		`"runtime_only":true,"calls":{"cudaMalloc":4},"errors":{},"busy_ns":{"cudaMalloc":100},"cpu_ns":{"cudaMalloc":90},` +
		`"bytes":{},` +
		`"bytes_by_kind":{"cudaMemcpy:HostToDevice":7},"setup_calls":{"cuInit":1}}` + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.PID != 42 || len(c.TIDs) != 2 || c.Pattern != "basic" || c.Iterations != 3 || !c.RuntimeOnly ||
		c.Calls["cudaMalloc"] != 4 || c.CPUNs["cudaMalloc"] != 90 || c.BytesByKind["cudaMemcpy:HostToDevice"] != 7 || c.SetupCalls["cuInit"] != 1 {
		t.Errorf("parsed %+v", c)
	}
	if c.Busy("cudaMalloc") != 100 || c.MeanBusy("cudaMalloc") != 25 || c.MeanBusy("cudaFree") != 0 {
		t.Errorf("busy %v, mean %v", c.Busy("cudaMalloc"), c.MeanBusy("cudaMalloc"))
	}

	minimal, err := ParseCounts([]byte(`{"pid":1,"calls":{}}`))
	if err != nil {
		t.Fatal(err)
	}
	if minimal.Errors == nil || minimal.BusyNs == nil || minimal.CPUNs == nil || minimal.Bytes == nil || minimal.SetupCalls == nil {
		t.Error("absent maps must parse as empty maps")
	}

	for _, bad := range []string{
		``, `{`, `[]`, `{"calls":{}}`, `{"pid":1}`, `{"pid":1,"calls":{},"surprise":1}`,
		`{"pid":1,"calls":{"cudaMalloc":-1}}`,
	} {
		if _, err := ParseCounts([]byte(bad)); err == nil || !strings.HasPrefix(err.Error(), "parsing workload counts") {
			t.Errorf("%q: got %v, want a parse error", bad, err)
		}
	}
}

func TestConfigModel(t *testing.T) {
	c := DefaultConfig()
	if got := c.KernelTime(256); got != 2*time.Microsecond+25600*time.Nanosecond {
		t.Errorf("KernelTime(256) = %v", got)
	}
	if got := c.CopyTime(12e9); got != time.Second+8*time.Microsecond {
		t.Errorf("CopyTime(12 GB) = %v", got)
	}
	if got := c.CopyTime(1 << 20); got != 8*time.Microsecond+87381*time.Nanosecond {
		t.Errorf("CopyTime(1 MiB) = %v", got)
	}
	if got := c.AllocTime(64 << 20); got != 84*time.Microsecond {
		t.Errorf("AllocTime(64 MiB) = %v", got)
	}
	env := slowConfig.Env()
	if len(env) != len(c.params()) || env[0] != "STANDIN_LAUNCH_NS=40000" {
		t.Errorf("Env() = %v", env)
	}
	header := string(paramsHeader())
	for _, p := range c.params() {
		line := "X(" + p.field + `, "` + p.env + `", `
		if !strings.Contains(header, line) {
			t.Errorf("params.h lacks %s:\n%s", line, header)
		}
	}
	if !strings.Contains(header, `"STANDIN_OOM_AFTER_BYTES", 85899345920ULL)`) {
		t.Errorf("params.h must compile in 80 GiB of device memory:\n%s", header)
	}
}
