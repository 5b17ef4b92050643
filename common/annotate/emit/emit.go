package emit

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"sync"
	"time"
)

// SocketEnv names the variable that overrides DefaultSocket for writers.
const SocketEnv = "INGERO_ANNOTATE_SOCKET"

// SocketPath is $INGERO_ANNOTATE_SOCKET, else DefaultSocket.
func SocketPath() string {
	if p := os.Getenv(SocketEnv); p != "" {
		return p
	}
	return DefaultSocket
}

// Client is a connection to trace's socket. Its methods may be called from
// several goroutines. Spans are tied to the connection: trace ends those
// still open when it closes.
type Client struct {
	mu   sync.Mutex
	conn net.Conn
	w    *bufio.Writer
	pid  *uint32
}

// Dial connects to the socket at path ("" for SocketPath()).
func Dial(path string) (*Client, error) {
	if path == "" {
		path = SocketPath()
	}
	conn, err := net.Dial("unix", path)
	if err != nil {
		return nil, fmt.Errorf("connecting to ingero trace at %s (is trace running, and are you in the socket's group?): %w", path, err)
	}
	return &Client{conn: conn, w: bufio.NewWriter(conn)}, nil
}

// ForPID makes later annotations label the events of pid (0: every traced
// process) instead of the sender's own.
func (c *Client) ForPID(pid uint32) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pid = &pid
}

// Point marks an instant; its labels hold until the next point.
func (c *Client) Point(labels map[string]string) error {
	return c.Send(Message{Kind: KindPoint, Labels: labels})
}

// Begin opens the span of requestID.
func (c *Client) Begin(requestID string, labels map[string]string) error {
	return c.Send(Message{Kind: KindBegin, RequestID: requestID, Labels: labels})
}

// End closes the span of requestID.
func (c *Client) End(requestID string) error {
	return c.Send(Message{Kind: KindEnd, RequestID: requestID})
}

// Send writes one message and flushes it. A message without TimeNs is
// stamped now, under the lock, so that the lines of one connection go out
// in the order of their times, as trace requires.
func (c *Client) Send(m Message) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if m.PID == nil {
		m.PID = c.pid
	}
	if m.TimeNs == 0 {
		m.TimeNs = time.Now().UnixNano()
	}
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("encoding annotation: %w", err)
	}
	if len(b) > MaxLine {
		return fmt.Errorf("annotation of %d bytes is over the %d-byte line limit: send fewer or shorter labels", len(b), MaxLine)
	}
	c.w.Write(b)
	c.w.WriteByte('\n')
	if err := c.w.Flush(); err != nil {
		return fmt.Errorf("sending annotation: %w", err)
	}
	return nil
}

// Close ends the connection; trace ends the spans still open.
func (c *Client) Close() error { return c.conn.Close() }

// Conn is the underlying connection, for callers that need to half-close
// it or set deadlines.
func (c *Client) Conn() net.Conn { return c.conn }
