package sysinfo

import (
	"math"
	"testing"
)

func TestParseStat(t *testing.T) {
	cases := []struct {
		name     string
		in       string
		want     cpuTimes
		cpus     int
		wantFail bool
	}{
		{"modern", "cpu  1 2 3 4 5 6 7 8 9 10\ncpu0 1 2 3 4 5 6 7 8 9 10\n", cpuTimes{busy: 1 + 2 + 3 + 6 + 7 + 8, idle: 4 + 5}, 1, false},
		{"old kernel, four columns", "cpu 10 20 30 40\ncpu0 10 20 30 40\ncpu1 0 0 0 0\n", cpuTimes{busy: 60, idle: 40}, 2, false},
		{"aggregate after per-cpu lines", "cpu0 1 1 1 1\ncpu 1 1 1 1 1\n", cpuTimes{busy: 3, idle: 2}, 1, false},
		{"no aggregate", "cpu0 1 2 3 4\n", cpuTimes{}, 0, true},
		{"too short", "cpu 1 2 3\n", cpuTimes{}, 0, true},
		{"not a number", "cpu 1 2 x 4 5\n", cpuTimes{}, 0, true},
	}
	for _, c := range cases {
		got, cpus, err := parseStat([]byte(c.in))
		if (err != nil) != c.wantFail {
			t.Errorf("%s: err = %v", c.name, err)
			continue
		}
		if !c.wantFail && (got != c.want || cpus != c.cpus) {
			t.Errorf("%s: got %+v/%d, want %+v/%d", c.name, got, cpus, c.want, c.cpus)
		}
	}
}

func TestBusyPct(t *testing.T) {
	cases := []struct {
		name       string
		prev, cur  cpuTimes
		want       float64
		wantTicked bool
	}{
		{"three quarters", cpuTimes{100, 100}, cpuTimes{250, 150}, 75, true},
		{"idle", cpuTimes{100, 100}, cpuTimes{100, 300}, 0, true},
		{"no tick", cpuTimes{100, 100}, cpuTimes{100, 100}, 0, false},
		{"idle steps back", cpuTimes{100, 100}, cpuTimes{200, 90}, 100, true},
	}
	for _, c := range cases {
		got, ok := busyPct(c.prev, c.cur)
		if ok != c.wantTicked || math.Abs(got-c.want) > 1e-9 {
			t.Errorf("%s: got %v,%v want %v,%v", c.name, got, ok, c.want, c.wantTicked)
		}
	}
}

func TestParseMeminfo(t *testing.T) {
	cases := []struct {
		name     string
		in       string
		want     memInfo
		wantFail bool
	}{
		{"modern", "MemTotal: 1000 kB\nMemFree: 100 kB\nMemAvailable: 600 kB\nSwapTotal: 50 kB\nSwapFree: 20 kB\n", memInfo{1000, 600, 50, 20}, false},
		{"before MemAvailable", "MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 250 kB\n", memInfo{1000, 400, 0, 0}, false},
		{"available above total", "MemTotal: 1000 kB\nMemAvailable: 5000 kB\n", memInfo{1000, 1000, 0, 0}, false},
		{"no total", "MemFree: 100 kB\n", memInfo{}, true},
		{"garbage value", "MemTotal: lots kB\n", memInfo{}, true},
	}
	for _, c := range cases {
		got, err := parseMeminfo([]byte(c.in))
		if (err != nil) != c.wantFail {
			t.Errorf("%s: err = %v", c.name, err)
			continue
		}
		if !c.wantFail && got != c.want {
			t.Errorf("%s: got %+v, want %+v", c.name, got, c.want)
		}
	}
	m := memInfo{total: 1000, avail: 250, swapTotal: 100, swapFree: 150}
	if m.usedPct() != 75 || m.swapUsedKB() != 0 {
		t.Errorf("usedPct %v swapUsed %v", m.usedPct(), m.swapUsedKB())
	}
}

func TestParseLoad1(t *testing.T) {
	for in, want := range map[string]float64{"1.52 0.98 0.40 3/512 4330\n": 1.52, "0.00 0 0 1/1 1": 0} {
		if got, err := parseLoad1([]byte(in)); err != nil || got != want {
			t.Errorf("parseLoad1(%q) = %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "high 1 1"} {
		if _, err := parseLoad1([]byte(in)); err == nil {
			t.Errorf("parseLoad1(%q) must fail", in)
		}
	}
}
