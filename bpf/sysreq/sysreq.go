// Package sysreq checks what the kernel and the process must offer before
// any probe loads, and names the fix when something is missing: the trace
// command prints these errors as they are.
package sysreq

import (
	"errors"
	"fmt"
	"os"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/features"
	"github.com/cilium/ebpf/rlimit"
)

// BTFPath is where the kernel exposes its own type information.
const BTFPath = "/sys/kernel/btf/vmlinux"

// Sentinels, wrapped by Check's errors.
var (
	ErrNotRoot = errors.New("ingero trace needs root to load eBPF probes: run it with sudo")
	ErrNoBTF   = errors.New("the kernel has no BTF (" + BTFPath + " is missing): " +
		"boot a kernel built with CONFIG_DEBUG_INFO_BTF=y (the default of current distributions, Linux 5.8 or newer)")
	ErrNoRingBuf = errors.New("the kernel has no BPF ring buffer: ingero trace needs Linux 5.8 or newer")
)

// Check reports the first missing requirement: root, BTF, ring buffers.
func Check() error {
	if os.Geteuid() != 0 {
		return ErrNotRoot
	}
	if _, err := os.Stat(BTFPath); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return ErrNoBTF
		}
		return fmt.Errorf("reading %s: %w", BTFPath, err)
	}
	if err := features.HaveMapType(ebpf.RingBuf); err != nil {
		if errors.Is(err, ebpf.ErrNotSupported) {
			return ErrNoRingBuf
		}
		return fmt.Errorf("probing for BPF ring buffers: %w", err)
	}
	return nil
}

// Prepare checks the requirements and lifts the locked-memory limit that
// kernels before 5.11 charge BPF maps against.
func Prepare() error {
	if err := Check(); err != nil {
		return err
	}
	if err := rlimit.RemoveMemlock(); err != nil {
		return fmt.Errorf("raising the locked-memory limit for BPF maps: %w", err)
	}
	return nil
}
