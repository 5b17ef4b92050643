package listen

import (
	"net"
	"os"
	"syscall"
)

// acceptBacklog adopts every connection already queued on the listener
// without waiting for more: the listening socket is non-blocking, so
// accept4 says EAGAIN once the queue is empty.
func (s *Server) acceptBacklog() {
	raw, err := s.ln.SyscallConn()
	if err != nil {
		return
	}
	for {
		nfd := -1
		var aerr error
		if err := raw.Control(func(fd uintptr) {
			nfd, _, aerr = syscall.Accept4(int(fd), syscall.SOCK_CLOEXEC)
		}); err != nil || aerr != nil {
			return
		}
		f := os.NewFile(uintptr(nfd), "annotation connection")
		c, err := net.FileConn(f)
		f.Close() // FileConn holds its own descriptor
		if err != nil {
			continue
		}
		if uc, ok := c.(*net.UnixConn); ok {
			s.adopt(uc)
		} else {
			c.Close()
		}
	}
}
