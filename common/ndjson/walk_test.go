package ndjson

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"ingero.dev/common/batch/batchtest"
	"ingero.dev/common/event"
)

// Walk names and orders the values exactly as the encoded line does, for
// every op and for random args (so argN fallbacks are covered).
func TestWalkAgreesWithEncoder(t *testing.T) {
	evs := batchtest.Random(rand.New(rand.NewPCG(9, 9)), 4000)
	for _, oi := range event.Ops() {
		ev := evs[0]
		ev.Source, ev.Op = oi.Source, oi.Op
		evs = append(evs, ev)
	}
	enc := NewEncoder(nil)
	for i := range evs {
		ev := &evs[i]
		line := enc.Append(nil, ev)
		want, err := tailPairs(line)
		if err != nil {
			t.Fatalf("event %d: %v\n%s", i, err, line)
		}
		var got []string
		Walk(ev, func(name string, v any) {
			if s, ok := v.(string); ok {
				v = string(appendString(nil, s)) // the line's own escaping
			}
			got = append(got, fmt.Sprintf("%s=%v", name, v))
		})
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Fatalf("event %d:\n walk %v\n line %v\n%s", i, got, want, line)
		}
	}
}

// tailPairs lists the args and the optional fields of a line as name=value
// with values as the line writes them (strings quoted).
func tailPairs(line []byte) ([]string, error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	var raw map[string]json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return nil, err
	}
	var out []string
	out = append(out, orderedPairs(line, "args")...)
	for _, k := range []string{"preemptor_pid", "preemptor_comm", "peer_pid", "peer_comm", "stack_id", "gpu", "cgroup_id"} {
		if v, ok := raw[k]; ok {
			out = append(out, k+"="+string(v))
		}
	}
	return out, nil
}

// orderedPairs reads the members of the object field in order.
func orderedPairs(line []byte, field string) []string {
	var wrapper map[string]json.RawMessage
	json.Unmarshal(line, &wrapper)
	dec := json.NewDecoder(bytes.NewReader(wrapper[field]))
	dec.UseNumber()
	dec.Token() // {
	var out []string
	for dec.More() {
		k, _ := dec.Token()
		var v json.RawMessage
		dec.Decode(&v)
		out = append(out, fmt.Sprintf("%s=%s", k, v))
	}
	return out
}
