package trace

import "ingero.dev/common/gpu"

// gpuSummary names the GPUs and driver for the session row. A host without
// the NVIDIA driver records empty fields: tracing works without NVML.
func gpuSummary() (model, driver string) {
	info, err := gpu.Query()
	if err != nil {
		return "", ""
	}
	return info.Summary()
}
