package tui

import (
	"os"
	"strconv"
	"syscall"
	"unsafe"
)

// IsTerminal reports whether f is a character device, which is how trace
// decides between RenderTTY and RenderPlain without an ioctl. /dev/null is
// a character device too; drawing to it is harmless.
func IsTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// DefaultWidth is used when neither the terminal nor $COLUMNS tells.
const DefaultWidth = 100

// Width returns the terminal's column count (TIOCGWINSZ), else $COLUMNS,
// else DefaultWidth. It is asked on every refresh, so a resized window
// redraws at its new width.
func Width(f *os.File) int {
	if cols := winsizeCols(f); cols > 0 {
		return cols
	}
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n > 0 {
		return n
	}
	return DefaultWidth
}

func winsizeCols(f *os.File) int {
	conn, err := f.SyscallConn()
	if err != nil {
		return 0
	}
	var ws struct{ Row, Col, X, Y uint16 }
	var errno syscall.Errno
	ctlErr := conn.Control(func(fd uintptr) {
		_, _, errno = syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCGWINSZ, uintptr(unsafe.Pointer(&ws)))
	})
	if ctlErr != nil || errno != 0 {
		return 0
	}
	return int(ws.Col)
}
