package listen

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"

	"ingero.dev/common/event"
)

// peer asks the kernel who is at the other end of c: SO_PEERCRED holds the
// credentials of the process that connected, which it cannot forge.
func peer(c *net.UnixConn) (event.Sender, error) {
	raw, err := c.SyscallConn()
	if err != nil {
		return event.Sender{}, err
	}
	var cred *syscall.Ucred
	var credErr error
	if err := raw.Control(func(fd uintptr) {
		cred, credErr = syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	}); err != nil {
		return event.Sender{}, err
	}
	if credErr != nil {
		return event.Sender{}, fmt.Errorf("reading SO_PEERCRED: %w", credErr)
	}
	s := event.Sender{PID: uint32(cred.Pid), UID: cred.Uid, GID: cred.Gid}
	// A sender that already exited has no start time; 0 says unknown.
	s.StartTicks, _ = StartTicks(s.PID)
	return s, nil
}

// StartTicks reads when pid started (field 22 of /proc/PID/stat, clock
// ticks after boot).
func StartTicks(pid uint32) (uint64, error) {
	b, err := os.ReadFile("/proc/" + strconv.FormatUint(uint64(pid), 10) + "/stat")
	if err != nil {
		return 0, err
	}
	// comm, field 2, may hold spaces and parentheses: fields count from
	// the last ")".
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: no command field", pid)
	}
	f := strings.Fields(string(b[i+1:]))
	const field = 22 - 3 // f[0] is field 3
	if len(f) <= field {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f)+2)
	}
	return strconv.ParseUint(f[field], 10, 64)
}

// mayLabel reports whether sender may label the events of pid: its own,
// every process's (0), those of a process of the same user, or any when
// it is root. What it may not label, it cannot make another user's
// process appear to have said.
func mayLabel(sender event.Sender, pid uint32) bool {
	if pid == 0 || pid == sender.PID || sender.UID == 0 {
		return true
	}
	fi, err := os.Stat("/proc/" + strconv.FormatUint(uint64(pid), 10))
	if err != nil {
		return false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && st.Uid == sender.UID
}
