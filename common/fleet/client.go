package fleet

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"
)

// Defaults, documented in docs/fleet.md.
const (
	DefaultTimeout     = 10 * time.Second
	DefaultMaxResponse = 32 << 20
)

// Options are how the client reaches the nodes.
type Options struct {
	CACert     string // PEM file of the CA (or self-signed certificate) the dashboards' certificates chain to
	ClientCert string // PEM client certificate for mTLS
	ClientKey  string
	Token      string // bearer token; sent only over TLS or to loopback
	Insecure   bool   // allow plain HTTP off loopback
	Timeout    time.Duration
	// MaxResponse caps one node's answer in bytes: a node cannot make the
	// client hold more than this, whatever it sends.
	MaxResponse int64
}

// Client asks every node the same thing at once.
type Client struct {
	Nodes   []Node
	http    *http.Client
	token   string
	timeout time.Duration
	max     int64
}

// New checks the options against the nodes and builds the client.
func New(nodes []Node, o Options) (*Client, error) {
	if (o.ClientCert == "") != (o.ClientKey == "") {
		return nil, errors.New("--client-cert and --client-key go together: give both for mTLS, or neither")
	}
	if o.Token != "" {
		for _, n := range nodes {
			if n.plainRemote() {
				return nil, fmt.Errorf("a bearer token would go to %s in the clear: use https://%s, or drop the token", n.Name, n.Base.Host)
			}
		}
	}
	tlsConf := &tls.Config{MinVersion: tls.VersionTLS13}
	if o.CACert != "" {
		pem, err := os.ReadFile(o.CACert)
		if err != nil {
			return nil, fmt.Errorf("reading --ca-cert: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--ca-cert %s holds no PEM certificate", o.CACert)
		}
		tlsConf.RootCAs = pool
	}
	if o.ClientCert != "" {
		pair, err := tls.LoadX509KeyPair(o.ClientCert, o.ClientKey)
		if err != nil {
			return nil, fmt.Errorf("loading --client-cert/--client-key: %w", err)
		}
		tlsConf.Certificates = []tls.Certificate{pair}
	}
	tr := &http.Transport{TLSClientConfig: tlsConf, Proxy: http.ProxyFromEnvironment, MaxIdleConnsPerHost: 4,
		ForceAttemptHTTP2: true, ResponseHeaderTimeout: 0}
	c := &Client{Nodes: nodes, token: o.Token, timeout: o.Timeout, max: o.MaxResponse,
		// Redirects are not followed: the token must not travel to
		// wherever a node points.
		http: &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	if c.max <= 0 {
		c.max = DefaultMaxResponse
	}
	return c, nil
}

// Close drops idle connections.
func (c *Client) Close() { c.http.CloseIdleConnections() }

// Result is one node's answer or why there is none.
type Result[T any] struct {
	Node  Node
	Value T
	Err   error
}

// Each runs ask against every node concurrently, each under the
// per-node timeout, and returns the results in the nodes' order.
func Each[T any](ctx context.Context, c *Client, ask func(ctx context.Context, n Node) (T, error)) []Result[T] {
	out := make([]Result[T], len(c.Nodes))
	var wg sync.WaitGroup
	for i, n := range c.Nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			nctx, cancel := context.WithTimeout(ctx, c.timeout)
			defer cancel()
			v, err := ask(nctx, n)
			if err != nil && errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
				err = fmt.Errorf("no answer within %s (raise --node-timeout)", c.timeout)
			}
			out[i] = Result[T]{Node: n, Value: v, Err: err}
		}()
	}
	wg.Wait()
	return out
}

// Get fetches path (with query) from n and decodes its JSON into v.
func (c *Client) Get(ctx context.Context, n Node, path string, q url.Values, v any) error {
	return c.do(ctx, n, http.MethodGet, path, q, nil, v)
}

// Post sends body as JSON to n's path and decodes the answer into v.
func (c *Client) Post(ctx context.Context, n Node, path string, body, v any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	return c.do(ctx, n, http.MethodPost, path, nil, b, v)
}

func (c *Client) do(ctx context.Context, n Node, method, path string, q url.Values, body []byte, v any) error {
	return c.send(ctx, n, method, path, q, body, func(_ http.Header, data []byte) error {
		if err := json.Unmarshal(data, v); err != nil {
			return fmt.Errorf("answer is not the dashboard API's JSON: %w", err)
		}
		return nil
	})
}

// raw is a GET whose body the caller reads itself (NDJSON).
func (c *Client) raw(ctx context.Context, n Node, path string, q url.Values, read func(http.Header, []byte) error) error {
	return c.send(ctx, n, http.MethodGet, path, q, nil, read)
}

func (c *Client) send(ctx context.Context, n Node, method, path string, q url.Values, body []byte, read func(http.Header, []byte) error) error {
	u := *n.Base
	u.Path = path
	u.RawQuery = q.Encode()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return describe(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, c.max+1))
	if err != nil {
		return describe(err)
	}
	if int64(len(data)) > c.max {
		return fmt.Errorf("answer larger than --max-response %d bytes; narrow the request (LIMIT, --since)", c.max)
	}
	if resp.StatusCode != http.StatusOK {
		return statusError(resp.StatusCode, data)
	}
	return read(resp.Header, data)
}

// statusError turns an API error into one line that says what to change.
func statusError(code int, data []byte) error {
	var e struct {
		Error string `json:"error"`
	}
	msg := strings.TrimSpace(string(data))
	if json.Unmarshal(data, &e) == nil && e.Error != "" {
		msg = e.Error
	}
	if len(msg) > 300 {
		msg = msg[:300] + "…"
	}
	switch code {
	case http.StatusUnauthorized:
		return fmt.Errorf("401: the node wants a bearer token (--token-file or $%s): %s", TokenEnv, msg)
	case http.StatusForbidden:
		return fmt.Errorf("403: %s", msg)
	case http.StatusNotFound:
		return fmt.Errorf("404: %s (is this an ingero dashboard of this version?)", msg)
	}
	return fmt.Errorf("%d: %s", code, msg)
}

// describe shortens transport errors to what the operator can act on.
func describe(err error) error {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err
	}
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	switch {
	case errors.As(err, &unknownCA):
		return fmt.Errorf("its certificate is not signed by a CA this client trusts: pass --ca-cert with the dashboards' CA (%w)", err)
	case errors.As(err, &hostErr):
		return fmt.Errorf("its certificate does not name it: %w", err)
	case strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		return fmt.Errorf("it serves plain HTTP: write http://HOST:PORT for a loopback --no-tls dashboard (%w)", err)
	}
	return err
}
