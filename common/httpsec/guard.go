package httpsec

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"net"
	"net/http"
	"strings"
)

// DefaultMaxBody caps request bodies when Guard.MaxBody is zero: the
// largest legitimate body is one SQL statement or one JSON-RPC message.
const DefaultMaxBody = 1 << 20

// Guard wraps a handler with the checks every ingero server makes, in
// the order that leaks least: Host first (a rebinding page learns
// nothing), then the token, then the body size.
type Guard struct {
	// AllowHosts are extra Host header names accepted besides localhost
	// and loopback IPs (--allow-host), compared without the port.
	AllowHosts []string
	// Token, when set, must arrive as "Authorization: Bearer TOKEN" (or
	// in the cookie TokenCookie names, for a browser page).
	Token       string
	TokenCookie string
	// Realm names the server in WWW-Authenticate.
	Realm string
	// MaxBody caps request bodies in bytes; 0 means DefaultMaxBody.
	MaxBody int64
}

// Wrap returns h behind the guard.
func (g *Guard) Wrap(h http.Handler) http.Handler {
	allowed := make(map[string]bool, len(g.AllowHosts))
	for _, a := range g.AllowHosts {
		allowed[normalHost(a)] = true
	}
	want := sha256.Sum256([]byte(g.Token))
	limit := g.MaxBody
	if limit <= 0 {
		limit = DefaultMaxBody
	}
	realm := g.Realm
	if realm == "" {
		realm = "ingero"
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := normalHost(r.Host)
		if !IsLoopbackHost(host) && !allowed[host] {
			http.Error(w, fmt.Sprintf("host %q is not allowed: this server answers loopback names only; start it with --allow-host %s to serve that name", host, host), http.StatusForbidden)
			return
		}
		if g.Token != "" {
			got := sha256.Sum256([]byte(presentedToken(r, g.TokenCookie)))
			// Hashes first, so the comparison's time says nothing about the
			// token's length either.
			if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
				w.Header().Set("WWW-Authenticate", fmt.Sprintf("Bearer realm=%q", realm))
				http.Error(w, "missing or wrong bearer token", http.StatusUnauthorized)
				return
			}
		}
		if r.ContentLength > limit {
			http.Error(w, fmt.Sprintf("request body of %d bytes is over the %d-byte limit", r.ContentLength, limit), http.StatusRequestEntityTooLarge)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		h.ServeHTTP(w, r)
	})
}

func presentedToken(r *http.Request, cookie string) string {
	if auth := r.Header.Get("Authorization"); auth != "" {
		scheme, tok, ok := strings.Cut(auth, " ")
		if ok && strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(tok)
		}
		return ""
	}
	if cookie != "" {
		if c, err := r.Cookie(cookie); err == nil {
			return c.Value
		}
	}
	return ""
}

// normalHost strips the port and brackets and lower-cases a Host value.
func normalHost(h string) string {
	if host, _, err := net.SplitHostPort(h); err == nil {
		h = host
	}
	return strings.ToLower(strings.TrimSuffix(strings.Trim(h, "[]"), "."))
}
