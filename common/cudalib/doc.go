// Package cudalib finds the CUDA libraries to probe: libcudart.so* (the
// runtime) and libcuda.so* (the driver), as mapped by running processes
// (Scanner) or as installed on disk (Finder), and which API symbols each one
// exports (Symbols).
//
// A library is one file, named by its device and inode. Many processes, and
// many containers, may map the same file under different paths; a uprobe
// attaches to the file, so the tracer attaches once per Library. Its Path
// opens that file from this mount namespace: the mapped path when it names
// the same inode here, else the path under /proc/PID/root (a container's
// view), else /proc/PID/map_files/LO-HI (a file deleted since it was mapped,
// such as a venv upgraded under a running job; following it needs
// CAP_SYS_ADMIN).
//
// The package uses only the standard library: common stays free of eBPF and
// NVML.
package cudalib
