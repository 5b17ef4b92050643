//go:build linux

package listen

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"net"
	"unicode/utf8"

	"ingero.dev/common/annotate/emit"
	"ingero.dev/common/event"
)

// maxOpenSpans bounds the spans one connection may hold open.
const maxOpenSpans = 4096

// conn is one writer's connection.
type conn struct {
	s      *Server
	sender event.Sender
	bucket *bucket
	open   map[string]event.Annotation // spans by request_id
	last   int64                       // stamp of the last line accepted
}

func (s *Server) serve(c *net.UnixConn) {
	defer s.wg.Done()
	defer func() {
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
		c.Close()
	}()
	sender, err := peer(c)
	if err != nil {
		s.drop("sender unknown")
		return
	}
	k := senderKey{sender.PID, sender.StartTicks}
	s.mu.Lock()
	b := s.buckets[k]
	if b == nil {
		// One bucket per process, shared by its connections: opening
		// more connections buys no more lines.
		b = newBucket(s.cfg.Rate, s.cfg.Burst, s.cfg.Now())
		s.buckets[k] = b
	}
	s.mu.Unlock()
	cn := &conn{s: s, sender: sender, bucket: b, open: map[string]event.Annotation{}}
	cn.read(bufio.NewReaderSize(c, emit.MaxLine+1))
	cn.endOpenSpans()
}

func (cn *conn) read(r *bufio.Reader) {
	for {
		line, err := r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			cn.s.drop(ReasonTooLong)
			if !skipLine(r) {
				return
			}
			continue
		}
		if len(bytes.TrimSpace(line)) > 0 {
			cn.handle(line)
		}
		if err != nil {
			return // EOF or closed: a last line without "\n" was handled
		}
	}
}

// skipLine discards the rest of an over-long line; false at end of input.
func skipLine(r *bufio.Reader) bool {
	for {
		_, err := r.ReadSlice('\n')
		if err == nil {
			return true
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return false
		}
	}
}

func (cn *conn) handle(line []byte) {
	s := cn.s
	now := s.cfg.Now()
	s.mu.Lock()
	ok := cn.bucket.take(now)
	s.mu.Unlock()
	if !ok {
		s.drop(ReasonRate)
		return
	}
	var m emit.Message
	if err := json.Unmarshal(line, &m); err != nil {
		s.drop(ReasonMalformed)
		return
	}
	if reason := checkLabels(m.Labels); reason != "" {
		s.drop(reason)
		return
	}
	if m.RequestID != "" && !validValue(m.RequestID) {
		s.drop(ReasonRequestID)
		return
	}
	pid := cn.sender.PID
	if m.PID != nil {
		if !mayLabel(cn.sender, *m.PID) {
			s.drop(ReasonPID)
			return
		}
		pid = *m.PID
	}
	t, clamped := stamp(m.TimeNs, now.UnixNano(), cn.last)
	a := event.Annotation{TimeNs: t, PID: pid, Node: s.cfg.Node, Labels: m.Labels, Sender: &cn.sender}
	if m.RequestID != "" {
		if a.Labels == nil {
			a.Labels = map[string]string{}
		}
		if v, ok := a.Labels["request_id"]; ok && v != m.RequestID {
			s.drop(ReasonRequestID)
			return
		}
		a.Labels["request_id"] = m.RequestID
	}
	var accepted bool
	switch m.Kind {
	case "", emit.KindPoint:
		accepted = s.queue(a)
	case emit.KindBegin:
		accepted = cn.begin(a, m.RequestID)
	case emit.KindEnd:
		accepted = cn.end(m.RequestID, a.TimeNs)
	default:
		s.drop(ReasonKind)
	}
	// Only a line that counts moves the connection's clock: a dropped
	// one must not push the next honest stamp forward.
	if accepted {
		cn.last = t
		if clamped {
			s.clamp()
		}
	}
}

func (cn *conn) begin(a event.Annotation, id string) bool {
	switch {
	case id == "":
		cn.s.drop(ReasonRequestID)
	case len(cn.open) >= maxOpenSpans:
		cn.s.drop(ReasonTooManySpans)
	case cn.open[id].Labels != nil:
		cn.s.drop(ReasonSpanOpen)
	default:
		a.SpanStart = a.TimeNs
		cn.open[id] = a
		return true
	}
	return false
}

func (cn *conn) end(id string, t int64) bool {
	a, ok := cn.open[id]
	if !ok {
		cn.s.drop(ReasonSpanUnknown)
		return false
	}
	delete(cn.open, id)
	a.SpanEnd = max(t, a.SpanStart+1) // an end of 0 would read as still open
	return cn.s.queue(a)
}

// endOpenSpans ends what the writer left open when it went away: the
// request is over for it, whether it said so or not.
func (cn *conn) endOpenSpans() {
	t := max(cn.s.cfg.Now().UnixNano(), cn.last)
	for id := range cn.open {
		cn.end(id, t)
	}
}

func checkLabels(l map[string]string) string {
	if len(l) > emit.MaxLabels {
		return ReasonLabels
	}
	for k, v := range l {
		if k == "" || len(k) > emit.MaxKeyBytes || len(v) > emit.MaxValueBytes || !utf8.ValidString(k) || !utf8.ValidString(v) {
			return ReasonLabels
		}
	}
	return ""
}

func validValue(v string) bool { return len(v) <= emit.MaxValueBytes && utf8.ValidString(v) }
