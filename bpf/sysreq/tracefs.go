package sysreq

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// TracefsPath is where EnsureTracefs mounts tracefs when no copy is found.
const TracefsPath = "/sys/kernel/tracing"

// tracefsCandidates are where the kernel's tracepoint ids may be read.
var tracefsCandidates = []string{TracefsPath, "/sys/kernel/debug/tracing"}

// EnsureTracefs makes tracefs available for the classic tracepoints that
// need it (oom/mark_victim), mounting it at TracefsPath if no mount is
// found. It reports whether it mounted, so the caller can say so.
func EnsureTracefs() (mounted bool, err error) {
	for _, p := range tracefsCandidates {
		if _, err := os.Stat(p + "/events"); err == nil {
			return false, nil
		}
	}
	if err := unix.Mount("tracefs", TracefsPath, "tracefs", 0, ""); err != nil {
		if errors.Is(err, unix.EBUSY) {
			return false, nil
		}
		return false, fmt.Errorf("mounting tracefs on %s (try: mount -t tracefs tracefs %s): %w", TracefsPath, TracefsPath, err)
	}
	return true, nil
}
