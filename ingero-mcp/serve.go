package mcp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"ingero.dev/common/cli"
	"ingero.dev/common/dbpath"
	"ingero.dev/common/httpsec"
)

func (c *config) exec(ctx context.Context, args []string) error {
	if err := c.check(args); err != nil {
		return err
	}
	var front *httpFront
	if c.http != "" {
		var err error
		if front, err = c.prepareHTTP(); err != nil {
			return err
		}
	}
	src := &source{flag: c.db}
	defer src.close()
	if err := c.preopen(src); err != nil {
		return err
	}
	state := newServer(src)
	plan, err := c.fleet.ResolveBeside()
	if err != nil {
		return err
	}
	if plan != nil {
		if state.fleet, err = plan.Client(); err != nil {
			return err
		}
		defer state.fleet.Close()
		state.skewThreshold = c.fleet.SkewThreshold
		fmt.Fprintf(c.stdio.Err, "ingero mcp: query_fleet asks %d nodes\n", len(plan.Nodes))
	}
	srv := state.build()
	if front == nil {
		fmt.Fprintf(c.stdio.Err, "ingero mcp: serving %s over stdio\n", src.describe())
		err := srv.Run(ctx, &mcp.IOTransport{Reader: io.NopCloser(c.stdio.In), Writer: nopWriteCloser{c.stdio.Out}})
		if err == nil || errors.Is(err, io.EOF) || ctx.Err() != nil {
			return nil // the client hung up, or we were told to stop
		}
		return fmt.Errorf("stdio: %w", err)
	}
	return c.serveHTTP(ctx, front, srv, src)
}

// preopen opens the recording once at start, so a file that is not a
// recording fails now, in one line, rather than in every tool call. A
// file that is not there yet is only a warning: the client may start
// the server before trace has written anything.
func (c *config) preopen(src *source) error {
	r, err := src.open()
	var missing *dbpath.MissingError
	switch {
	case errors.As(err, &missing):
		fmt.Fprintf(c.stdio.Err, "ingero mcp: warning: %s; the tools will say so until it exists\n", missing)
		return nil
	case err != nil:
		return err
	}
	for _, w := range src.warnings() {
		fmt.Fprintf(c.stdio.Err, "ingero mcp: warning: %s\n", w)
	}
	return r.Close()
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }

// sessionIdle closes HTTP sessions a client abandoned without DELETE.
const sessionIdle = 30 * time.Minute

// httpFront is the checked --http setup: address, TLS and token.
type httpFront struct {
	tls         *tls.Config
	scheme, how string
	token       string
}

// prepareHTTP checks the --http flags and loads or makes the certificate
// before anything else, so a mistake there fails at once.
func (c *config) prepareHTTP() (*httpFront, error) {
	if _, _, err := net.SplitHostPort(c.http); err != nil {
		return nil, cli.Usagef("--http %q: want HOST:PORT, such as 127.0.0.1:8080 or :8080", c.http)
	}
	f := &httpFront{scheme: "http", how: "plain HTTP (--no-tls)", token: httpsec.TokenFromEnv(TokenEnv)}
	if c.noTLS {
		if err := httpsec.CheckPlaintext("--http", c.http); err != nil {
			return nil, &cli.UsageError{Err: err}
		}
		return f, nil
	}
	cert, err := httpsec.LoadOrGenerate(c.tlsCert, c.tlsKey, httpsec.ListenHosts(c.http))
	if err != nil {
		return nil, err
	}
	f.tls, f.scheme = httpsec.ServerConfig(cert), "https"
	f.how = "TLS 1.3, certificate " + c.tlsCert + ", SHA-256 fingerprint " + cert.Fingerprint
	if cert.SelfSigned {
		f.how = "TLS 1.3, self-signed certificate valid 24h, SHA-256 fingerprint " + cert.Fingerprint
	}
	return f, nil
}

func (c *config) serveHTTP(ctx context.Context, f *httpFront, srv *mcp.Server, src *source) error {
	mux := http.NewServeMux()
	// A page in a browser on another origin (a dev server on
	// localhost:3000, say) passes the Host guard; cross-origin protection
	// refuses its requests by their Origin and Sec-Fetch-Site headers.
	// MCP clients send neither.
	mux.Handle("/mcp", http.NewCrossOriginProtection().Handler(newHTTPHandler(srv)))
	guard := &httpsec.Guard{AllowHosts: c.allowHosts, Token: f.token, Realm: "ingero mcp"}
	hs := &httpsec.Server{Addr: c.http, Handler: guard.Wrap(mux), TLS: f.tls, ErrorLog: c.stdio.Err}
	auth := "no token: anyone who can reach it can read the recording; set $" + TokenEnv + " to require one"
	if f.token != "" {
		auth = "bearer token from $" + TokenEnv + " required"
	}
	hs.OnListen = func(a net.Addr) {
		fmt.Fprintf(c.stdio.Err, "ingero mcp: serving %s at %s://%s/mcp (%s; %s)\n", src.describe(), f.scheme, a, f.how, auth)
		if c.onListen != nil {
			c.onListen(a.String())
		}
	}
	return hs.Run(ctx)
}
