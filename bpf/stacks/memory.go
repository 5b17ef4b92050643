package stacks

import (
	"encoding/binary"
	"fmt"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// memory reads another process's memory with process_vm_readv: one
// system call per read, no ptrace stop, and the same permission rule as
// ptrace attach (kernel.yama.ptrace_scope).
type memory struct{ pid int }

// memReads counts process_vm_readv calls, so that a run of the kernel
// walker can show it read no process's memory.
var memReads atomic.Uint64

func (m memory) read(addr uint64, buf []byte) error {
	if addr == 0 {
		return fmt.Errorf("reading address 0 of %d", m.pid)
	}
	local := []unix.Iovec{{Base: &buf[0]}}
	local[0].SetLen(len(buf))
	memReads.Add(1)
	remote := []unix.RemoteIovec{{Base: uintptr(addr), Len: len(buf)}}
	n, err := unix.ProcessVMReadv(m.pid, local, remote, 0)
	if err != nil {
		return fmt.Errorf("reading memory of %d at %#x: %w", m.pid, addr, err)
	}
	if n != len(buf) {
		return fmt.Errorf("reading memory of %d at %#x: %d of %d bytes", m.pid, addr, n, len(buf))
	}
	return nil
}

func (m memory) u64(addr uint64) (uint64, error) {
	var b [8]byte
	if err := m.read(addr, b[:]); err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint64(b[:]), nil
}
