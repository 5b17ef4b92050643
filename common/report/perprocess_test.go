package report

import (
	"testing"

	"ingero.dev/common/causal"
	"ingero.dev/common/event"
)

// A merged recording holds several nodes whose PIDs collide: each (node,
// PID) stays its own process, and two nodes' single GPU processes are no
// contention.
func TestGPUProcessesKeyByNodeAndPID(t *testing.T) {
	launch := event.Key{Source: event.SourceDriver, Op: event.CuLaunchKernel}
	rep := &causal.Report{PerProcess: []causal.OpStats{
		{Node: "node-a", PID: 100, Comm: "trainer", Key: launch, Name: "cuLaunchKernel", Calls: 30},
		{Node: "node-b", PID: 100, Comm: "server", Key: launch, Name: "cuLaunchKernel", Calls: 20},
	}}
	procs := GPUProcesses(rep)
	if len(procs) != 2 || procs[0].Node != "node-a" || procs[0].Name != "trainer" || procs[1].Node != "node-b" || procs[1].Calls != 20 {
		t.Fatalf("processes %+v", procs)
	}
	if Nodes(procs) != 2 {
		t.Errorf("Nodes = %d", Nodes(procs))
	}
	pp := NewPerProcess(rep)
	if len(pp.Processes) != 2 || pp.Processes[1].Node != "node-b" {
		t.Errorf("JSON processes %+v", pp.Processes)
	}
}
