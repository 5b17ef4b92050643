package trace

// gpuSummary names the GPUs for the session row; NVML support lands with
// common/gpu, and until then the row says nothing rather than guess.
func gpuSummary() (model, driver string) { return "", "" }
