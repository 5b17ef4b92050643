// Package bpf holds ingero's eBPF probes. Each family sits in its own
// folder with its C next to the Go that loads it: cuda/ (uprobes on
// libcudart and libcuda) and host/ (scheduler and process tracepoints).
// stacks/ symbolises the user stacks the CUDA probes capture under
// --stack (ELF/DWARF, CPython frames). shared/ owns the maps every family
// sees as one, ring/ turns ring-buffer
// records into event batches, sysreq/ checks what the kernel must offer,
// and seccomp/ decides where return probes are safe. README.md explains
// the design and how to regenerate the committed objects.
package bpf

//go:generate go run ./internal/genops -o include/ops.h
