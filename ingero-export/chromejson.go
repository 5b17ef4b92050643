package export

import (
	"bufio"
	"math"
	"strconv"
	"unicode/utf8"
)

// chromeSink writes the Trace Event Format (the JSON that chrome://tracing,
// Perfetto and DevTools read) as one object whose traceEvents array is
// streamed event by event. Calls are complete events (ph X, ts and dur in
// microseconds with nanosecond decimals), chains instants (ph i), host
// metrics counters (ph C), rows are named by process_name/thread_name
// metadata (ph M), and launch→sync arrows are flow events (ph s and f).
type chromeSink struct {
	w     *bufio.Writer
	buf   []byte
	first bool
	stats *sinkStats
}

// offCPUTid moves a thread's off-CPU row apart from the thread's own row:
// JSON rows are (pid, tid) pairs, shown tids stay below 2^30 (maxNodes),
// and readers parse tids as 32-bit signed integers.
const offCPUTid = 1 << 30

func newChromeSink(w *bufio.Writer) *chromeSink {
	return &chromeSink{w: w, first: true, stats: &sinkStats{}}
}

func (s *chromeSink) counts() *sinkStats { return s.stats }

func (s *chromeSink) start() []byte {
	if s.first {
		s.first = false
		return append(s.buf[:0], `{"displayTimeUnit":"ns","traceEvents":[`+"\n"...)
	}
	return append(s.buf[:0], ",\n"...)
}

func (s *chromeSink) flush(b []byte) error {
	s.buf = b
	_, err := s.w.Write(b)
	return err
}

func (s *chromeSink) tid(t *track) uint32 {
	if t.offCPU {
		return t.tid | offCPUTid
	}
	return t.tid
}

func (s *chromeSink) track(t *track) error {
	s.stats.tracks++
	b := s.start()
	switch t.kind {
	case trackProcess:
		b = append(b, `{"ph":"M","name":"process_name","pid":`...)
		b = strconv.AppendUint(b, uint64(t.pid), 10)
		b = append(b, `,"args":{"name":`...)
		b = appendJSONString(b, t.name)
		b = append(b, "}}"...)
	case trackThread, trackPlain:
		b = append(b, `{"ph":"M","name":"thread_name","pid":`...)
		b = strconv.AppendUint(b, uint64(t.pid), 10)
		b = append(b, `,"tid":`...)
		b = strconv.AppendUint(b, uint64(s.tid(t)), 10)
		b = append(b, `,"args":{"name":`...)
		b = appendJSONString(b, t.name)
		b = append(b, "}},\n"...)
		b = append(b, `{"ph":"M","name":"thread_sort_index","pid":`...)
		b = strconv.AppendUint(b, uint64(t.pid), 10)
		b = append(b, `,"tid":`...)
		b = strconv.AppendUint(b, uint64(s.tid(t)), 10)
		b = append(b, `,"args":{"sort_index":`...)
		b = strconv.AppendInt(b, int64(t.sortIndex), 10)
		b = append(b, "}}"...)
	case trackCounter:
		return nil // a counter is named by its C events
	}
	return s.flush(b)
}

func appendMicros(b []byte, ns int64) []byte {
	if ns < 0 {
		b = append(b, '-')
		ns = -ns
	}
	b = strconv.AppendInt(b, ns/1000, 10)
	if r := ns % 1000; r != 0 {
		b = append(b, '.', byte('0'+r/100), byte('0'+r/10%10), byte('0'+r%10))
	}
	return b
}

func (s *chromeSink) slice(sl *slice) error {
	b := s.start()
	t := sl.track
	if sl.global {
		s.stats.instants++
		b = append(b, `{"ph":"i","s":"p"`...)
	} else {
		s.stats.slices++
		if sl.dur <= 0 {
			s.stats.slices--
			s.stats.instants++
		}
		b = append(b, `{"ph":"X","dur":`...)
		b = appendMicros(b, max(sl.dur, 0))
	}
	b = append(b, `,"ts":`...)
	b = appendMicros(b, sl.ts)
	b = append(b, `,"pid":`...)
	b = strconv.AppendUint(b, uint64(t.pid), 10)
	b = append(b, `,"tid":`...)
	b = strconv.AppendUint(b, uint64(s.tid(t)), 10)
	b = append(b, `,"name":`...)
	b = appendJSONString(b, sl.name)
	b = append(b, `,"cat":`...)
	b = appendJSONString(b, sl.cat)
	if sl.global {
		b = append(b, `,"cname":`...)
		b = appendJSONString(b, severityColor(sl.name))
	}
	b = append(b, `,"args":{`...)
	for i, a := range sl.args {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, a.name)
		b = append(b, ':')
		b = appendArg(b, &a)
	}
	b = append(b, "}}"...)
	if sl.flowOut != 0 {
		s.stats.flows++
		b = s.flow(b, "s", sl, sl.flowOut)
	}
	for _, id := range sl.flowIn {
		b = s.flow(b, "f", sl, id)
	}
	return s.flush(b)
}

// flow writes one end of a launch→sync arrow as a flow event (ph s at the
// launch, f at the sync binding to the enclosing slice), the form both
// DevTools and Perfetto read.
func (s *chromeSink) flow(b []byte, ph string, sl *slice, id uint64) []byte {
	b = append(b, `,`+"\n"+`{"ph":"`+ph+`","id":`...)
	b = strconv.AppendUint(b, id, 10)
	if ph == "f" {
		b = append(b, `,"bp":"e"`...)
	}
	// DevTools binds a flow event to the slice of equal ts, pid, tid and cat.
	b = append(b, `,"name":"launch→sync","cat":`...)
	b = appendJSONString(b, sl.cat)
	b = append(b, `,"ts":`...)
	b = appendMicros(b, sl.ts)
	b = append(b, `,"pid":`...)
	b = strconv.AppendUint(b, uint64(sl.track.pid), 10)
	b = append(b, `,"tid":`...)
	b = strconv.AppendUint(b, uint64(s.tid(sl.track)), 10)
	return append(b, '}')
}

func appendArg(b []byte, a *arg) []byte {
	switch a.kind {
	case argInt:
		return strconv.AppendInt(b, a.i, 10)
	case argUint:
		// JSON numbers above 2^53 lose precision in every JavaScript
		// reader: pointers and handles go as hex strings.
		if a.u > 1<<53 {
			return append(strconv.AppendUint(append(b, `"0x`...), a.u, 16), '"')
		}
		return strconv.AppendUint(b, a.u, 10)
	case argFloat:
		return appendFloat(b, a.f)
	case argBool:
		return strconv.AppendBool(b, a.u != 0)
	case argID:
		b = appendJSONString(b, a.s)
		b[len(b)-1] = ':' // replaces the closing quote
		return append(strconv.AppendInt(b, a.i, 10), '"')
	}
	return appendJSONString(b, a.s)
}

func appendFloat(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	return strconv.AppendFloat(b, f, 'g', -1, 64)
}

// severityColor picks the trace viewers' reserved colour names by the
// severity that starts a chain's name.
func severityColor(name string) string {
	switch {
	case len(name) >= 4 && name[:4] == "HIGH":
		return "terrible"
	case len(name) >= 6 && name[:6] == "MEDIUM":
		return "bad"
	}
	return "yellow"
}

func (s *chromeSink) counter(t *track, ts int64, v float64) error {
	s.stats.counters++
	b := s.start()
	b = append(b, `{"ph":"C","ts":`...)
	b = appendMicros(b, ts)
	b = append(b, `,"pid":`...)
	b = strconv.AppendUint(b, uint64(t.pid), 10)
	b = append(b, `,"name":`...)
	b = appendJSONString(b, t.name)
	b = append(b, `,"args":{"value":`...)
	b = appendFloat(b, v)
	b = append(b, "}}"...)
	return s.flush(b)
}

func (s *chromeSink) finish() error {
	b := s.start()
	if b[0] == ',' {
		b = b[:0]
	}
	b = append(b, "\n]}\n"...)
	return s.flush(b)
}

const hexDigits = "0123456789abcdef"

// appendJSONString quotes s for JSON; invalid UTF-8 (comm names are bytes)
// becomes U+FFFD so the file stays valid.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b = append(b, "\ufffd"...)
		} else {
			b = append(b, s[i:i+n]...)
		}
		i += n
	}
	return append(b, '"')
}
