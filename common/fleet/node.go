package fleet

import (
	"fmt"
	"net"
	"net/url"
	"strings"

	"ingero.dev/common/httpsec"
)

// Node is one dashboard to ask: Name is what the user wrote (and what
// the node column shows), Base the URL requests start from.
type Node struct {
	Name string
	Base *url.URL
}

// ParseNodes reads --nodes: HOST:PORT (HTTPS), https://HOST:PORT or
// http://HOST:PORT, comma-separated. Plain HTTP is refused off loopback
// unless insecure: recordings hold process names and command lines.
func ParseNodes(list []string, insecure bool) ([]Node, error) {
	var nodes []Node
	seen := map[string]bool{}
	for _, raw := range list {
		raw = strings.TrimSpace(raw)
		if raw == "" {
			continue
		}
		n, err := parseNode(raw, insecure)
		if err != nil {
			return nil, err
		}
		if seen[n.Base.String()] {
			return nil, fmt.Errorf("--nodes names %s twice; its rows would count double", raw)
		}
		seen[n.Base.String()] = true
		nodes = append(nodes, n)
	}
	if len(nodes) == 0 {
		return nil, fmt.Errorf("--nodes is empty: give HOST:PORT[,HOST:PORT…] or set fleet.nodes in ingero.yaml")
	}
	return nodes, nil
}

func parseNode(raw string, insecure bool) (Node, error) {
	s := raw
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
		return Node{}, fmt.Errorf("--nodes: %q is not HOST:PORT (or https://HOST:PORT)", raw)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return Node{}, fmt.Errorf("--nodes: %q: scheme %s is neither https nor http", raw, u.Scheme)
	}
	host, port, err := net.SplitHostPort(u.Host)
	if err != nil || port == "" || host == "" {
		return Node{}, fmt.Errorf("--nodes: %q has no port: write HOST:PORT, e.g. %s:8080", raw, strings.TrimSuffix(u.Host, ":"))
	}
	if u.Scheme == "http" && !insecure && !httpsec.IsLoopbackHost(host) {
		return Node{}, fmt.Errorf("--nodes: %s is plain HTTP to %s, which is not loopback: recordings and tokens would cross the network in the clear; use https://%s (the dashboard's default) or add --insecure", raw, host, u.Host)
	}
	u.Path = ""
	return Node{Name: strings.TrimSuffix(raw, "/"), Base: u}, nil
}

// plain reports whether requests to n go unencrypted off this machine.
func (n Node) plainRemote() bool {
	return n.Base.Scheme == "http" && !httpsec.IsLoopbackHost(n.Base.Hostname())
}
