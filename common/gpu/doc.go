// Package gpu reads the host's NVIDIA GPUs through NVML: driver and CUDA
// versions for trace's session row, and models, memory and running CUDA
// processes for check and for the multi-process contention rule.
//
// It is a module of its own, apart from ingero.dev/common, because go-nvml
// needs cgo and the read-only analysis binaries link common with cgo off.
// go-nvml opens libnvidia-ml.so.1 with dlopen when Query runs, so a host
// without the driver gets ErrNoNVML, not a crash or a link error.
package gpu
