package dashboard

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"

	"ingero.dev/common/adhoc"
	"ingero.dev/common/httpsec"
	"ingero.dev/common/recording"
	"ingero.dev/common/timerange"
)

type server struct {
	api         *api
	cert        *httpsec.Cert  // nil: --no-tls
	clientCAs   *x509.CertPool // --client-ca: mTLS, nil when off
	token       string
	tokenFrom   string
	allowHosts  []string
	maxBody     int64
	queryLimits adhoc.Limits
	out, errOut io.Writer
}

// handler is the whole site. The Host guard covers everything; the
// token covers the API only: the page itself is the same static file
// for everyone and holds no data, and it must load to ask for the token.
func (s *server) handler() http.Handler {
	s.api.queryLimits = s.queryLimits
	apiMux := http.NewServeMux()
	s.api.routes(apiMux)
	api := (&httpsec.Guard{AllowHosts: s.allowHosts, Token: s.token, Realm: "ingero dashboard", MaxBody: s.maxBody}).Wrap(apiMux)
	page := (&httpsec.Guard{AllowHosts: s.allowHosts, MaxBody: s.maxBody}).Wrap(pageHandler())
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/") {
			api.ServeHTTP(w, r)
			return
		}
		page.ServeHTTP(w, r)
	})
}

func (s *server) run(ctx context.Context, addr string) error {
	hs := &httpsec.Server{Addr: addr, Handler: s.handler(), ErrorLog: io.Discard, OnListen: s.banner}
	if s.cert != nil {
		hs.TLS = httpsec.ServerConfig(s.cert)
		if s.clientCAs != nil {
			hs.TLS.ClientCAs, hs.TLS.ClientAuth = s.clientCAs, tls.RequireAndVerifyClientCert
		}
	}
	return hs.Run(ctx)
}

// banner tells the operator where the page is and how to trust it.
func (s *server) banner(a net.Addr) {
	scheme := "https"
	if s.cert == nil {
		scheme = "http"
	}
	bound, port, _ := net.SplitHostPort(a.String())
	host := bound
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	url := fmt.Sprintf("%s://%s/", scheme, net.JoinHostPort(host, port))
	src := s.api.src
	state := "live while trace records into it"
	if src.kind == recording.Stream {
		state = "loaded again whenever it grows"
	}
	fmt.Fprintf(s.out, "ingero dashboard: serving %s (%s, %s)\n", src.path, src.kind, state)
	fmt.Fprintf(s.out, "  open %s\n", url)
	switch {
	case s.cert == nil:
		fmt.Fprintln(s.out, "  plain HTTP on loopback (--no-tls)")
	case s.cert.SelfSigned:
		fmt.Fprintf(s.out, "  TLS 1.3, self-signed ECDSA P-256 certificate valid %s; its SHA-256 fingerprint: %s\n",
			timerange.FormatDuration(httpsec.SelfSignedLifetime), s.cert.Fingerprint)
	default:
		fmt.Fprintf(s.out, "  TLS 1.3, certificate fingerprint (SHA-256): %s\n", s.cert.Fingerprint)
	}
	if s.clientCAs != nil {
		fmt.Fprintln(s.out, "  mTLS: clients must present a certificate signed by --client-ca")
	}
	if s.token != "" {
		fmt.Fprintf(s.out, "  API token required (from %s): the page asks for it once, or open %s#token=TOKEN\n", s.tokenFrom, url)
	} else if !httpsec.IsLoopbackHost(bound) {
		fmt.Fprintf(s.errOut, "ingero dashboard: warning: serving %s beyond loopback without a token: whoever reaches it reads the recording; set $%s or --token-file\n", a, TokenEnv)
	}
	fmt.Fprintf(s.out, "  from another machine: ssh -L %s:localhost:%s user@this-host, then open %s://localhost:%s/\n", port, port, scheme, port)
}
