package concurrency

import (
	"slices"
	"testing"
)

func TestCPUList(t *testing.T) {
	for in, want := range map[string][]int{"": nil, "3": {3}, "2-3": {2, 3}, "4,6-7": {4, 6, 7}} {
		got, err := cpuList(in)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("cpuList(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"a", "3-1", "-1", "2-", "8 - 9"} {
		if _, err := cpuList(bad); err == nil {
			t.Errorf("cpuList(%q): no error", bad)
		}
	}
}
