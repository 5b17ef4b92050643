package annotate

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"ingero.dev/common/event"
)

func fixture() []event.Annotation {
	return []event.Annotation{
		{TimeNs: 100, Labels: map[string]string{"phase": "warmup"}},
		{TimeNs: 200, PID: 2, Labels: map[string]string{"phase": "pid2"}},
		{TimeNs: 300, Labels: map[string]string{"phase": "train"}},
		{SpanStart: 150, SpanEnd: 250, PID: 1, Labels: map[string]string{"req": "a"}},
		{SpanStart: 160, SpanEnd: 160, PID: 0, Labels: map[string]string{"req": "tick"}},
		{SpanStart: 240, SpanEnd: 0, PID: 1, Labels: map[string]string{"req": "open"}},
	}
}

func TestEventRules(t *testing.T) {
	tests := []struct {
		t    int64
		pid  uint32
		want string
	}{
		{50, 1, "[]"},
		{100, 1, "[map[phase:warmup]]"},
		{150, 1, "[map[phase:warmup] map[req:a]]"},
		{160, 1, "[map[phase:warmup] map[req:a] map[req:tick]]"},
		{161, 2, "[map[phase:warmup]]"},
		{200, 2, "[map[phase:pid2]]"},
		{240, 1, "[map[phase:warmup] map[req:a] map[req:open]]"},
		{250, 2, "[map[phase:pid2]]"},
		{251, 1, "[map[phase:warmup] map[req:open]]"},
		{300, 2, "[map[phase:train]]"},
		{9999, 1, "[map[phase:train] map[req:open]]"},
		// Out of order: the sweep starts again and still answers right.
		{155, 1, "[map[phase:warmup] map[req:a]]"},
	}
	ix := New(fixture())
	j := ix.Joiner()
	for _, tt := range tests {
		if got := fmt.Sprint(j.Labels("", tt.pid, tt.t)); got != tt.want {
			t.Errorf("Joiner t=%d pid=%d: %s, want %s", tt.t, tt.pid, got, tt.want)
		}
		if got := fmt.Sprint(ix.Event("", tt.pid, tt.t)); got != tt.want {
			t.Errorf("Event t=%d pid=%d: %s, want %s", tt.t, tt.pid, got, tt.want)
		}
	}
}

// TestJoinerAgreesWithEvent drives both lookups with random annotations
// and events, mostly in order with a few steps back.
func TestJoinerAgreesWithEvent(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var anns []event.Annotation
	for i := range 200 {
		a := event.Annotation{PID: uint32(rng.IntN(3)), Labels: map[string]string{"n": fmt.Sprint(i)}}
		if rng.IntN(2) == 0 {
			a.TimeNs = rng.Int64N(10000) + 1
		} else {
			a.SpanStart = rng.Int64N(10000) + 1
			if rng.IntN(5) > 0 {
				a.SpanEnd = a.SpanStart + rng.Int64N(2000)
			}
			a.TimeNs = a.SpanStart
		}
		anns = append(anns, a)
	}
	ix := New(anns)
	j := ix.Joiner()
	var tNs int64
	for range 5000 {
		tNs += rng.Int64N(5) - 1
		pid := uint32(rng.IntN(3))
		if a, b := fmt.Sprint(j.Labels("", pid, tNs)), fmt.Sprint(ix.Event("", pid, tNs)); a != b {
			t.Fatalf("t=%d pid=%d: Joiner %s, Event %s", tNs, pid, a, b)
		}
	}
}

func TestChainRules(t *testing.T) {
	ix := New(fixture())
	step := func(ns ...int64) []event.TimelineEntry {
		var out []event.TimelineEntry
		for _, n := range ns {
			out = append(out, event.TimelineEntry{TimeNs: n})
		}
		return out
	}
	tests := []struct {
		name string
		ch   event.Chain
		want string
	}{
		{"before any", event.Chain{PID: 1, Timeline: step(10, 20)}, "[]"},
		// The phase it began in first, then what starts within, by start.
		{"phase and spans", event.Chain{PID: 1, Timeline: step(155, 170)}, "[map[phase:warmup] map[req:a] map[req:tick]]"},
		{"other pid", event.Chain{PID: 2, Timeline: step(155, 210)}, "[map[phase:warmup] map[req:tick] map[phase:pid2]]"},
		{"host-wide takes all", event.Chain{PID: 0, Timeline: step(190, 245)}, "[map[phase:warmup] map[req:a] map[phase:pid2] map[req:open]]"},
		{"no timeline: detection time", event.Chain{PID: 1, DetectedNs: 400}, "[map[phase:train] map[req:open]]"},
		{"instant inside", event.Chain{PID: 1, Timeline: step(290, 310)}, "[map[phase:warmup] map[req:open] map[phase:train]]"},
	}
	for _, tt := range tests {
		if got := fmt.Sprint(ix.Chain(tt.ch)); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
	if got := ix.Chains(nil); len(got) != 0 {
		t.Errorf("no chains: %v", got)
	}
}

// In a merged recording two nodes' PID 7 are different processes: an
// annotation of one node labels only that node's events and chains; one
// without a node (a v1 recording) labels any node's.
func TestAnnotationsKeyByNode(t *testing.T) {
	anns := []event.Annotation{
		{TimeNs: 100, PID: 7, Node: "a", Labels: map[string]string{"on": "a"}},
		{TimeNs: 100, SpanStart: 50, SpanEnd: 500, PID: 7, Node: "b", Labels: map[string]string{"on": "b"}},
		{TimeNs: 100, SpanStart: 50, SpanEnd: 500, PID: 7, Labels: map[string]string{"on": "any"}},
	}
	ix := New(anns)
	for _, tt := range []struct {
		node string
		want string
	}{{"a", "[map[on:a] map[on:any]]"}, {"b", "[map[on:b] map[on:any]]"}, {"c", "[map[on:any]]"}} {
		if got := fmt.Sprint(ix.Event(tt.node, 7, 200)); got != tt.want {
			t.Errorf("event on %s: %s, want %s", tt.node, got, tt.want)
		}
		if got := fmt.Sprint(ix.Joiner().Labels(tt.node, 7, 200)); got != tt.want {
			t.Errorf("joiner on %s: %s, want %s", tt.node, got, tt.want)
		}
	}
	ch := event.Chain{Node: "b", PID: 7, DetectedNs: 200}
	if got := fmt.Sprint(ix.Chain(ch)); got != "[map[on:b] map[on:any]]" {
		t.Errorf("chain on b: %s", got)
	}
}

func TestHitsNameTheStepsOfTheTimeline(t *testing.T) {
	var anns []event.Annotation
	for s := range 10 {
		anns = append(anns, event.Annotation{TimeNs: int64(s * 100), PID: 1, Labels: map[string]string{"step": fmt.Sprint(s)}})
	}
	anns = append(anns,
		event.Annotation{TimeNs: 500, PID: 1, SpanStart: 500, SpanEnd: 560, Labels: map[string]string{"request_id": "r"}},
		event.Annotation{TimeNs: 0, PID: 2, Labels: map[string]string{"step": "other process"}})
	ix := New(anns)
	step := func(ns ...int64) []event.TimelineEntry {
		var out []event.TimelineEntry
		for _, n := range ns {
			out = append(out, event.TimelineEntry{TimeNs: n})
		}
		return out
	}
	for _, tt := range []struct {
		ch   event.Chain
		want string
	}{
		// Steps 3 and 7 are where the slow calls were; 4–6 lie between.
		{event.Chain{PID: 1, Timeline: step(350, 720, 790)}, "[map[step:3] map[step:7]]"},
		{event.Chain{PID: 1, Timeline: step(550)}, "[map[step:5] map[request_id:r]]"},
		{event.Chain{PID: 1, DetectedNs: 950}, "[map[step:9]]"},
		{event.Chain{PID: 3, Timeline: step(550)}, "[]"},
	} {
		if got := fmt.Sprint(ix.Hits(tt.ch)); got != tt.want {
			t.Errorf("%+v: %s, want %s", tt.ch, got, tt.want)
		}
	}
}
