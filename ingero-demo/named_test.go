package demo

import (
	"strings"
	"testing"
)

// namedInAChain says whether a HIGH or MEDIUM chain of the report names
// culprit in its title or root cause. Not "the first chain": go test runs
// other packages beside this one on a 2-core machine, and when their load
// preempted the loop more than the plant did, the report rightly says so
// first.
func namedInAChain(report, culprit string) bool {
	for _, block := range strings.Split(report, "\n\n") {
		block = strings.TrimSpace(block)
		if !strings.HasPrefix(block, "[HIGH]") && !strings.HasPrefix(block, "[MEDIUM]") {
			continue
		}
		title, _, _ := strings.Cut(block, "\n")
		_, cause, _ := strings.Cut(block, "Root cause: ")
		cause, _, _ = strings.Cut(cause, "\n")
		if strings.Contains(title, culprit) || strings.Contains(cause, culprit) {
			return true
		}
	}
	return false
}

func TestNamedInAChain(t *testing.T) {
	report := "INCIDENT REPORT - 2 causal chains found (1 HIGH, 1 MEDIUM)\n\n" +
		"[HIGH] cudaStreamSynchronize p99=8.7ms (10.7x p50) — CPU preemption by scenario.test\nTimeline:\n  x\n" +
		"Root cause: scenario.test (PID 4912) preempted train 798 times; logrotate (PID 4932) preempted train 214 times\nFix: y\n\n" +
		"[LOW] cudaMalloc p99=1ms — allocation churn by ffmpeg\nRoot cause: ffmpeg\n"
	for culprit, want := range map[string]bool{"logrotate": true, "scenario.test": true, "ffmpeg": false, "embedding-svc": false} {
		if got := namedInAChain(report, culprit); got != want {
			t.Errorf("%s: %v, want %v", culprit, got, want)
		}
	}
}
