package export

import (
	"encoding/json"
	"fmt"
)

// A structural validator of our own for the Trace Event Format output.

type jsonEvent struct {
	Ph   string          `json:"ph"`
	Name string          `json:"name"`
	Cat  string          `json:"cat"`
	Ts   *float64        `json:"ts"`
	Dur  *float64        `json:"dur"`
	Pid  *uint64         `json:"pid"`
	Tid  *uint64         `json:"tid"`
	ID   *uint64         `json:"id"`
	Bp   string          `json:"bp"`
	S    string          `json:"s"`
	Args json.RawMessage `json:"args"`
}

type jsonTrace struct {
	events                              []jsonEvent
	complete, instants, counters, flows int
	processNames, threadNames           map[string]string
	rowOf                               map[string]string // event name → its row's name
}

func checkJSON(data []byte) (*jsonTrace, error) {
	var doc struct {
		TraceEvents     []jsonEvent `json:"traceEvents"`
		DisplayTimeUnit string      `json:"displayTimeUnit"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("not JSON: %w", err)
	}
	tr := &jsonTrace{events: doc.TraceEvents, processNames: map[string]string{}, threadNames: map[string]string{}, rowOf: map[string]string{}}
	flowStarts := map[uint64]float64{}
	type use struct {
		key string
		i   int
	}
	var uses []use
	for i, e := range doc.TraceEvents {
		if e.Pid == nil {
			return nil, fmt.Errorf("event %d (%s) has no pid", i, e.Ph)
		}
		thread := fmt.Sprintf("%d/%d", *e.Pid, deref(e.Tid))
		switch e.Ph {
		case "M":
			var a struct {
				Name      string `json:"name"`
				SortIndex *int   `json:"sort_index"`
			}
			if err := json.Unmarshal(e.Args, &a); err != nil {
				return nil, fmt.Errorf("event %d: metadata args: %w", i, err)
			}
			switch e.Name {
			case "process_name":
				tr.processNames[fmt.Sprint(*e.Pid)] = a.Name
			case "thread_name":
				tr.threadNames[thread] = a.Name
			case "thread_sort_index":
			default:
				return nil, fmt.Errorf("event %d: metadata %q", i, e.Name)
			}
			continue
		case "X":
			if e.Dur == nil || *e.Dur < 0 {
				return nil, fmt.Errorf("event %d: complete event without a duration", i)
			}
			if *e.Dur == 0 {
				tr.instants++
			} else {
				tr.complete++
			}
			uses = append(uses, use{thread, i})
		case "i":
			if e.S != "p" && e.S != "t" && e.S != "g" {
				return nil, fmt.Errorf("event %d: instant scope %q", i, e.S)
			}
			tr.instants++
			uses = append(uses, use{thread, i})
		case "C":
			tr.counters++
		case "s":
			flowStarts[deref(e.ID)] = *e.Ts
			tr.flows++
		case "f":
			start, ok := flowStarts[deref(e.ID)]
			if !ok || start > *e.Ts || e.Bp != "e" {
				return nil, fmt.Errorf("event %d: flow end %d without an earlier start", i, deref(e.ID))
			}
		default:
			return nil, fmt.Errorf("event %d: phase %q", i, e.Ph)
		}
		if e.Ts == nil || e.Name == "" {
			return nil, fmt.Errorf("event %d (%s): no ts or name", i, e.Ph)
		}
		if e.Ph != "C" && e.Args != nil && !json.Valid(e.Args) {
			return nil, fmt.Errorf("event %d: args", i)
		}
	}
	for _, u := range uses {
		name, ok := tr.threadNames[u.key]
		if !ok {
			return nil, fmt.Errorf("event %d: row %s has no thread_name", u.i, u.key)
		}
		tr.rowOf[doc.TraceEvents[u.i].Name] = name
	}
	return tr, nil
}

func deref(p *uint64) uint64 {
	if p == nil {
		return 0
	}
	return *p
}
