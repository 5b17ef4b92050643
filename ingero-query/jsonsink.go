package query

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"

	"ingero.dev/common/cli"
	"ingero.dev/common/event"
	"ingero.dev/common/hist"
	"ingero.dev/common/ndjson"
)

// jsonSink writes the lines of trace --json. stdout stays pure NDJSON: the
// note that a limit left events out goes to stderr.
type jsonSink struct {
	w           *bufio.Writer
	errw        io.Writer
	enc         *ndjson.Encoder
	line        []byte
	annotations bool
}

func newJSONSink(stdio cli.Stdio, annotations bool) *jsonSink {
	return &jsonSink{w: bufio.NewWriter(stdio.Out), errw: stdio.Err, enc: ndjson.NewEncoder(io.Discard), annotations: annotations}
}

func (s *jsonSink) event(ev *event.Event, labels []map[string]string) error {
	s.line = s.enc.Append(s.line[:0], ev)
	if s.annotations {
		var err error
		if s.line, err = appendAnnotations(s.line, labels); err != nil {
			return err
		}
	}
	_, err := s.w.Write(s.line)
	return err
}

// appendAnnotations adds "annotations":[{labels}…] as the line's last
// field: readers of trace --json ignore fields they do not know.
func appendAnnotations(line []byte, labels []map[string]string) ([]byte, error) {
	if labels == nil {
		labels = []map[string]string{}
	}
	for i, l := range labels {
		if l == nil {
			labels[i] = map[string]string{}
		}
	}
	b, err := json.Marshal(labels)
	if err != nil {
		return nil, fmt.Errorf("encoding annotations: %w", err)
	}
	line = line[:len(line)-2] // the closing "}\n"
	line = append(line, `,"annotations":`...)
	line = append(line, b...)
	return append(line, "}\n"...), nil
}

func (s *jsonSink) done(shown, matched int64) error {
	if err := s.w.Flush(); err != nil {
		return err
	}
	if shown < matched {
		fmt.Fprintf(s.errw, "ingero query: printed the newest %s of %s matching events; raise --limit (0 prints all)\n", hist.FormatCount(shown), hist.FormatCount(matched))
	}
	return nil
}
