package query

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"ingero.dev/common/batch/batchtest"
	"ingero.dev/common/event"
	"ingero.dev/common/ndjson"
)

// The table's details used to be parsed back out of each event's --json
// line; they are now walked from the event. Over random events (odd
// bytes in names, unknown ops, args that fit no name) both ways must
// print the same text.
func TestDetailsMatchTheJSONLine(t *testing.T) {
	evs := batchtest.Random(rand.New(rand.NewPCG(4, 2)), 5000)
	for _, oi := range event.Ops() {
		ev := evs[len(evs)-1]
		ev.Source, ev.Op, ev.PeerPID, ev.PeerComm = oi.Source, oi.Op, 8821, "log rotate\xff"
		evs = append(evs, ev)
	}
	enc := ndjson.NewEncoder(nil)
	for i := range evs {
		want, err := detailsFromLine(enc.Append(nil, &evs[i]))
		if err != nil {
			t.Fatal(err)
		}
		if got := ndjson.Pairs(&evs[i]); got != want {
			t.Fatalf("event %d:\n got  %s\n want %s", i, got, want)
		}
	}
}

// detailsFromLine is the former implementation, kept as the oracle.
func detailsFromLine(line []byte) (string, error) {
	shown := map[string]bool{"preemptor_pid": true, "preemptor_comm": true, "peer_pid": true, "peer_comm": true, "gpu": true, "stack_id": true}
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	var args, extra []string
	if _, err := dec.Token(); err != nil {
		return "", err
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return "", err
		}
		key, _ := tok.(string)
		switch {
		case key == "args":
			if args, err = objectPairs(dec); err != nil {
				return "", err
			}
		case shown[key]:
			v, err := dec.Token()
			if err != nil {
				return "", err
			}
			extra = append(extra, key+"="+oldValueText(v))
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return "", err
			}
		}
	}
	return strings.Join(append(args, extra...), " "), nil
}

func objectPairs(dec *json.Decoder) ([]string, error) {
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, errors.Join(errors.New("args is not an object"), err)
	}
	var out []string
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return nil, err
		}
		v, err := dec.Token()
		if err != nil {
			return nil, err
		}
		name, _ := k.(string)
		out = append(out, name+"="+oldValueText(v))
	}
	_, err := dec.Token()
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return out, err
}

func oldValueText(v any) string {
	switch v := v.(type) {
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	case string:
		if strings.ContainsAny(v, " =\"") {
			return strconv.Quote(v)
		}
		return ndjson.Printable(v)
	}
	return "?"
}
