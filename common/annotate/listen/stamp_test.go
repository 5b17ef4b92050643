package listen

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"ingero.dev/common/annotate/emit"
)

func TestStampKeepsOnlyPlausibleTimes(t *testing.T) {
	const arrival = int64(1_800_000_000_000_000_000)
	back := int64(emit.MaxBackdate)
	for _, c := range []struct {
		name             string
		sent, prev, want int64
		clamped          bool
	}{
		{"none: arrival", 0, arrival - 10, arrival, false},
		{"accepted", arrival - 3_000_000, arrival - 4_000_000, arrival - 3_000_000, false},
		{"at arrival", arrival, 0, arrival, false},
		{"oldest accepted", arrival - back, 0, arrival - back, false},
		{"too old", arrival - back - 1, 0, arrival - back, true},
		{"negative", -5, 0, arrival - back, true},
		{"future", arrival + 1, 0, arrival, true},
		{"far future", arrival + int64(time.Hour), arrival - 7, arrival, true},
		{"equal to the previous", arrival - 9, arrival - 9, arrival - 9, false},
		{"before the previous", arrival - 10, arrival - 9, arrival - 9, true},
		// The clock was set back between two lines: stamps still never go back.
		{"clock set back, none", 0, arrival + 50, arrival + 50, false},
		{"clock set back", arrival - 1, arrival + 50, arrival + 50, true},
	} {
		got, clamped := stamp(c.sent, arrival, c.prev)
		if got != c.want || clamped != c.clamped {
			t.Errorf("%s: stamp(%d, %d, %d) = %d, %v; want %d, %v", c.name, c.sent, arrival, c.prev, got, clamped, c.want, c.clamped)
		}
	}
}

// A reader that wakes late reads a span's begin and end in one batch, at
// one arrival time: the span keeps the spacing its writer sent. Lines
// whose times are not plausible are moved into range and counted, and a
// dropped line moves nothing.
func TestABatchReadTogetherKeepsTheSendersTimes(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	A := now.UnixNano()
	ms := int64(time.Millisecond)
	s := start(t, Config{Now: func() time.Time { return now }})
	line := func(body string, at int64) string { return fmt.Sprintf(`{%s,"time_ns":%d}`, body, at) }
	sendLines(t, s,
		line(`"kind":"begin","request_id":"r"`, A-5*ms),
		line(`"kind":"end","request_id":"r"`, A-2*ms),
		line(`"kind":"end","request_id":"never-begun"`, A+5000*ms), // dropped: no clamp, no move
		line(`"labels":{"p":"late"}`, A-ms),
		line(`"labels":{"p":"before previous"}`, A-3*ms),
		line(`"labels":{"p":"future"}`, A+1000*ms),
	)
	c, err := net.Dial("unix", s.cfg.Path)
	if err != nil {
		t.Fatal(err)
	}
	c.Write([]byte(strings.Join([]string{
		line(`"labels":{"p":"ancient"}`, A-1000*ms),
		`{"labels":{"p":"unstamped"}}`,
	}, "\n") + "\n"))
	waitHandled(t, s, c)

	got := map[string][2]int64{}
	for _, a := range s.Drain() {
		key := a.Labels["p"] + a.Labels["request_id"]
		got[key] = [2]int64{a.TimeNs, a.SpanEnd}
	}
	want := map[string][2]int64{
		"r":               {A - 5*ms, A - 2*ms}, // 3 ms, as sent, though read at one instant
		"late":            {A - ms, 0},
		"before previous": {A - ms, 0},
		"future":          {A, 0},
		"ancient":         {A - int64(emit.MaxBackdate), 0},
		"unstamped":       {A, 0},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("stamps (relative to arrival):\n got %v\nwant %v", rel(got, A), rel(want, A))
	}
	st := s.Stats()
	if st.TimeClamped != 3 || st.Dropped[ReasonSpanUnknown] != 1 || st.Recorded != 6 {
		t.Errorf("stats %+v: want 3 clamped, 1 dropped, 6 recorded", st)
	}
}

func rel(m map[string][2]int64, a int64) map[string][2]time.Duration {
	out := map[string][2]time.Duration{}
	for k, v := range m {
		end := time.Duration(0)
		if v[1] != 0 {
			end = time.Duration(v[1] - a)
		}
		out[k] = [2]time.Duration{time.Duration(v[0] - a), end}
	}
	return out
}
