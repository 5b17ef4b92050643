package query

import (
	"fmt"
	"testing"

	"ingero.dev/common/event"
)

func TestJoinerRules(t *testing.T) {
	anns := []event.Annotation{
		{TimeNs: 100, Labels: map[string]string{"phase": "warmup"}},
		{TimeNs: 200, PID: 2, Labels: map[string]string{"phase": "pid2"}},
		{TimeNs: 300, Labels: map[string]string{"phase": "train"}},
		{SpanStart: 150, SpanEnd: 250, PID: 1, Labels: map[string]string{"req": "a"}},
		{SpanStart: 160, SpanEnd: 160, PID: 0, Labels: map[string]string{"req": "tick"}},
		{SpanStart: 240, SpanEnd: 0, PID: 1, Labels: map[string]string{"req": "open"}},
	}
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
	j := newJoiner(anns)
	for _, tt := range tests {
		got := fmt.Sprint(j.labels(&event.Event{TimeNs: tt.t, PID: tt.pid}))
		if got != tt.want {
			t.Errorf("t=%d pid=%d: %s, want %s", tt.t, tt.pid, got, tt.want)
		}
	}
}
