// Package causal turns recorded events into ranked causal chains: which
// call was slow, what on the host or the GPU made it slow, and what to
// change. `ingero explain` runs it over a recording (Analyze); trace, the
// MCP server and the dashboard run it live (Live).
//
// Every rule is evidence against a baseline, never a bare coincidence:
// latency rules compare the calls that overlapped a cause (a preemption,
// an IO, memory pressure, another process on the GPU) with the calls that
// did not, so that a cause present all along but harmless does not fire.
// docs/rules.md describes each rule's trigger, thresholds and severity.
//
// Analysis is one streaming pass in time order with bounded state: per
// (process, op) histograms, per-time-bucket series whose buckets widen as
// the window grows, and small sets of in-flight calls and intervals. It
// depends on the standard library and ingero's common packages only, so
// the read-only binaries stay free of eBPF and NVML.
package causal
