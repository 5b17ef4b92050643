package sysinfo

import (
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"ingero.dev/common/testenv"
)

// fakeRoot copies testdata/host so a test may change files in it.
func fakeRoot(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	err := os.CopyFS(root, os.DirFS("testdata/host"))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func TestSamplerTwoSamples(t *testing.T) {
	root := fakeRoot(t)
	s, err := NewSampler(root, "gpu-node-07")
	if err != nil {
		t.Fatal(err)
	}
	later, err := os.ReadFile("testdata/stat-later")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "proc/stat"), later, 0o644); err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1779637281, 0)
	snap, err := s.Sample(now)
	if err != nil {
		t.Fatal(err)
	}
	// stat-later: 150 busy ticks of 200; iowait's step back of 2 is
	// absorbed by idle's step forward.
	if math.Abs(snap.CPUPct-75) > 1e-9 {
		t.Errorf("CPUPct = %v, want 75", snap.CPUPct)
	}
	if snap.MemPct != 25 || snap.MemAvailMB != 12_000 || snap.SwapUsedMB != 1_000 || snap.Load1 != 1.52 {
		t.Errorf("snapshot = %+v", snap)
	}
	if snap.TimeNs != now.UnixNano() || snap.Node != "gpu-node-07" {
		t.Errorf("time/node = %d/%q", snap.TimeNs, snap.Node)
	}
	if got := s.Totals(); got != (Totals{CPUs: 2, MemTotalMB: 16_000, SwapTotalMB: 4_000}) {
		t.Errorf("Totals = %+v", got)
	}

	// No tick since: the previous CPU share stands.
	again, err := s.Sample(now.Add(time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if again.CPUPct != snap.CPUPct {
		t.Errorf("CPUPct with no tick = %v, want %v", again.CPUPct, snap.CPUPct)
	}
}

func TestSamplerErrors(t *testing.T) {
	if _, err := NewSampler(t.TempDir(), ""); err == nil {
		t.Error("NewSampler without /proc/stat must fail")
	}
	for _, missing := range []string{"proc/meminfo", "proc/loadavg", "proc/stat"} {
		root := fakeRoot(t)
		s, err := NewSampler(root, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Remove(filepath.Join(root, missing)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Sample(time.Now()); err == nil {
			t.Errorf("Sample without %s must fail", missing)
		}
	}
}

func TestSamplerOnThisHost(t *testing.T) {
	if _, err := os.Stat("/proc/stat"); err != nil {
		testenv.Unavailable(t, "no /proc on this host")
	}
	s, err := NewSampler("", "")
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)
	snap, err := s.Sample(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if snap.CPUPct < 0 || snap.CPUPct > 100 || snap.MemPct <= 0 || snap.MemPct > 100 || snap.MemAvailMB <= 0 {
		t.Errorf("implausible snapshot %+v", snap)
	}
	if s.Totals().CPUs < 1 || s.Totals().MemTotalMB <= 0 {
		t.Errorf("implausible totals %+v", s.Totals())
	}
}
