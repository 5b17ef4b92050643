package httpsec

import (
	"fmt"
	"net"
	"strings"
)

// IsLoopbackHost reports whether host (a name or IP literal, without a
// port) always means this machine.
func IsLoopbackHost(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(strings.Trim(host, "[]"), "."))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// CheckPlaintext refuses plain HTTP on anything but a loopback address:
// recordings carry process names and arguments, and a token sent in the
// clear is a token given away. flag names the address's flag (--addr,
// --http) in the message.
func CheckPlaintext(flag, addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%s %q: %w (want HOST:PORT, e.g. 127.0.0.1:8080)", flag, addr, err)
	}
	if !IsLoopbackHost(host) {
		shown := host
		if shown == "" {
			shown = "every interface"
		}
		return fmt.Errorf("--no-tls serves plain HTTP, which is allowed on loopback only, not on %s: use %s 127.0.0.1:PORT, or drop --no-tls", shown, flag)
	}
	return nil
}

// ListenHosts are the names a certificate for addr should cover beyond
// localhost: the bound IP when it is a specific one.
func ListenHosts(addr string) []string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil || host == "" || IsLoopbackHost(host) {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		return nil
	}
	return []string{host}
}
