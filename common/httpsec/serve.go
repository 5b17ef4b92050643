package httpsec

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"time"
)

// Server runs one handler on one address until its context ends.
type Server struct {
	Addr    string
	Handler http.Handler
	// TLS is the server's configuration (ServerConfig); nil serves plain
	// HTTP, which the caller must have cleared with CheckPlaintext.
	TLS *tls.Config
	// OnListen, when set, learns the bound address (port 0 picks one).
	OnListen func(net.Addr)
	// ErrorLog receives connection-level errors such as refused TLS
	// handshakes; nil discards them.
	ErrorLog io.Writer
}

// shutdownGrace is how long in-flight requests get once the context ends.
const shutdownGrace = 5 * time.Second

// Run listens and serves until ctx is done, then shuts down gracefully.
func (s *Server) Run(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", s.Addr, err)
	}
	if s.OnListen != nil {
		s.OnListen(ln.Addr())
	}
	errLog := s.ErrorLog
	if errLog == nil {
		errLog = io.Discard
	}
	srv := &http.Server{
		Handler:           s.Handler,
		TLSConfig:         s.TLS,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          log.New(errLog, "", 0),
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	done := make(chan error, 1)
	go func() {
		if s.TLS != nil {
			done <- srv.ServeTLS(ln, "", "")
		} else {
			done <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-done:
		return fmt.Errorf("serve on %s: %w", s.Addr, err)
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(shut); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("shut down %s: %w", s.Addr, err)
	}
	if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve on %s: %w", s.Addr, err)
	}
	return nil
}
