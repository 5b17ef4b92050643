package tui

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"ingero.dev/common/event"
	"ingero.dev/common/sysinfo"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// realisticModel is a training job at the second minute of a five-minute
// trace, with logrotate stealing its CPU: the spec's incident, live.
func realisticModel() *Model {
	m := &Model{
		Now:      time.Date(2026, 5, 24, 15, 41, 20, 0, time.UTC),
		Elapsed:  83 * time.Second,
		Duration: 5 * time.Minute,
		System: System{
			Valid: true,
			Snapshot: event.Snapshot{TimeNs: 1779637280e9, Node: "gpu-node-07", CPUPct: 94.2, MemPct: 81.5,
				MemAvailMB: 2_960, SwapUsedMB: 2_150, Load1: 12.1},
			Totals: sysinfo.Totals{CPUs: 8, MemTotalMB: 16_000, SwapTotalMB: 8_000},
		},
		EventsPerSec: 4_321.4,
		TotalEvents:  1_234_567,
		Drops:        event.SessionStats{KernelDrops: 0, UserDrops: 0, SampledOut: 0},
		DBPath:       "/home/alice/.ingero/ingero.db",
		DBBytes:      12_900_000,
		Targets:      []Target{{4821, "python3"}, {5032, "embedding-svc"}},
	}
	m.Sections[SectionRuntime] = []Row{
		{Source: event.SourceCUDA, Op: event.CudaMalloc, Name: "cudaMalloc", Count: 12, Rate: 0, Latency: true,
			P50: 21_000, P95: 48_000, P99: 58_000},
		{Source: event.SourceCUDA, Op: event.CudaLaunchKernel, Name: "cudaLaunchKernel", Count: 128_394, Rate: 4_211},
		{Source: event.SourceCUDA, Op: event.CudaMemcpyAsync, Name: "cudaMemcpyAsync", Count: 892, Rate: 12.5, Latency: true,
			P50: 38_000, P95: 124_000, P99: 891_000, Anomalies: 31, NewAnomalies: 2},
		{Source: event.SourceCUDA, Op: event.CudaStreamSynchronize, Name: "cudaStreamSynchronize", Count: 2_048, Rate: 24, Latency: true,
			P50: 16_700_000, P95: 61_000_000, P99: 142_000_000, Anomalies: 847, NewAnomalies: 9},
	}
	m.Sections[SectionDriver] = []Row{
		{Source: event.SourceDriver, Op: event.CuLaunchKernel, Name: "cuLaunchKernel", Count: 12_847, Rate: 410},
		{Source: event.SourceDriver, Op: event.CuMemAlloc, Name: "cuMemAlloc", Count: 3, Rate: 0, Latency: true,
			P50: 112_000, P95: 2_100_000, P99: 8_400_000, Errors: 1},
	}
	m.Sections[SectionHost] = []Row{
		{Source: event.SourceHost, Op: event.SchedSwitch, Name: "sched_switch", Count: 9_120, Rate: 97.3, Latency: true,
			P50: 48_000, P95: 4_800_000, P99: 16_700_000, Anomalies: 2_210, NewAnomalies: 40, TopPeer: "logrotate", TopPeerCount: 847},
		{Source: event.SourceHost, Op: event.ProcessFork, Name: "process_fork", Count: 4, Rate: 0},
	}
	return m
}

func emptyModel() *Model {
	return &Model{Now: time.Date(2026, 5, 24, 15, 40, 0, 0, time.UTC), Elapsed: time.Second}
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -update rewrites it); got:\n%s", path, got)
	}
}

func TestGoldens(t *testing.T) {
	for _, c := range []struct {
		name  string
		model *Model
		width int
	}{
		{"realistic", realisticModel(), 110},
		{"realistic_narrow", realisticModel(), 72},
		{"empty", emptyModel(), 80},
	} {
		var tty, plain bytes.Buffer
		if err := RenderTTY(&tty, c.model, c.width); err != nil {
			t.Fatal(err)
		}
		checkGolden(t, c.name+"_tty", tty.Bytes())
		if err := RenderPlain(&plain, c.model); err != nil {
			t.Fatal(err)
		}
		checkGolden(t, c.name+"_plain", plain.Bytes())
	}
}

// visibleWidth counts the characters a terminal shows, skipping escapes.
func visibleWidth(s string) int {
	return utf8.RuneCountInString(stripANSI(s))
}

func stripANSI(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\x1b' && i+1 < len(s) && s[i+1] == '[' {
			j := i + 2
			for j < len(s) && (s[j] < 0x40 || s[j] > 0x7e) {
				j++
			}
			i = j
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func TestTTYFitsEveryWidth(t *testing.T) {
	for _, m := range []*Model{realisticModel(), emptyModel()} {
		for width := 0; width <= 220; width += 7 {
			var buf bytes.Buffer
			if err := RenderTTY(&buf, m, width); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			if !strings.HasPrefix(out, clearHome) {
				t.Fatal("a redraw must start with clear and home")
			}
			for _, line := range strings.Split(strings.TrimSuffix(out[len(clearHome):], "\n"), "\n") {
				if w := visibleWidth(line); w > max(width, MinWidth) {
					t.Fatalf("width %d: line of %d columns: %q", width, w, stripANSI(line))
				}
				if strings.LastIndex(line, "\x1b[") > strings.LastIndex(line, ansiReset) {
					t.Fatalf("width %d: line leaves a colour open: %q", width, line)
				}
			}
		}
	}
}

func TestTTYShowsEverySectionEvenWhenEmpty(t *testing.T) {
	var buf bytes.Buffer
	if err := RenderTTY(&buf, emptyModel(), 80); err != nil {
		t.Fatal(err)
	}
	out := stripANSI(buf.String())
	for _, title := range []string{"System Context", "CUDA Runtime API", "CUDA Driver API", "Host Context", "CUDA Graph events"} {
		if !strings.Contains(out, "-- "+title+" ") {
			t.Errorf("section %q missing", title)
		}
	}
	if n := strings.Count(out, "no events yet"); n != 4 {
		t.Errorf("%d empty-section lines, want 4", n)
	}
}

func TestPlainHasNoEscapesAndGreppableOps(t *testing.T) {
	var buf bytes.Buffer
	if err := RenderPlain(&buf, realisticModel()); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.ContainsRune(out, '\x1b') {
		t.Fatal("plain output holds escape codes")
	}
	want := "ops cudaMalloc section=runtime count=12 rate=0.0/s p50=21µs p95=48µs p99=58µs anomalies=0 errors=0\n"
	if !strings.Contains(out, want) {
		t.Errorf("missing line %q in:\n%s", want, out)
	}
	if !strings.Contains(out, "ops cudaLaunchKernel section=runtime count=128394 rate=4211.0/s errors=0\n") {
		t.Errorf("a launch without --launch-latency must carry no percentiles:\n%s", out)
	}
}

func TestBarColours(t *testing.T) {
	cases := []struct {
		pct    float64
		levels [2]float64
		want   string
	}{
		{10, cpuLevels, ansiGreen}, {70, cpuLevels, ansiGreen}, {70.1, cpuLevels, ansiYel}, {90, cpuLevels, ansiRed},
		{0, swapLevels, ansiGreen}, {0.1, swapLevels, ansiYel}, {25, swapLevels, ansiRed},
	}
	for _, c := range cases {
		if got := levelColor(c.pct, c.levels); got != c.want {
			t.Errorf("levelColor(%v, %v) = %q, want %q", c.pct, c.levels, got, c.want)
		}
	}
	if got := stripANSI(bar(250, 10, cpuLevels)); got != "[##########]" {
		t.Errorf("bar over 100%% = %q", got)
	}
	if got := stripANSI(bar(-5, 4, cpuLevels)); got != "[....]" {
		t.Errorf("negative bar = %q", got)
	}
}

func TestHelpers(t *testing.T) {
	for n, want := range map[uint64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", 100000: "100,000"} {
		if got := commas(n); got != want {
			t.Errorf("commas(%d) = %q", n, got)
		}
	}
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1.0 KB", 12_900_000: "12.3 MB", 10 << 30: "10.0 GB"} {
		if got := formatBytes(n); got != want {
			t.Errorf("formatBytes(%d) = %q", n, got)
		}
	}
	for r, want := range map[float64]string{0: "0.0", 12.46: "12.5", 99.9: "99.9", 4211.4: "4,211"} {
		if got := formatRate(r); got != want {
			t.Errorf("formatRate(%v) = %q", r, got)
		}
	}
	if got := truncate("ab"+paint(ansiRed, "cdef")+"gh", 4); got != "ab"+ansiRed+"cd"+ansiReset {
		t.Errorf("truncate = %q", got)
	}
	if got := truncate("µµµ", 2); got != "µµ" {
		t.Errorf("truncate counts runes: %q", got)
	}
}

func TestIsTerminal(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if IsTerminal(f) {
		t.Error("a regular file is not a terminal")
	}
	if Width(f) <= 0 {
		t.Error("Width must fall back to a positive default")
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if IsTerminal(w) {
		t.Error("a pipe is not a terminal")
	}
	t.Setenv("COLUMNS", "123")
	if got := Width(w); got != 123 {
		t.Errorf("Width of a pipe with COLUMNS=123 = %d", got)
	}
}

func TestHostileNamesCannotDriveTheTerminal(t *testing.T) {
	m := realisticModel()
	m.Targets = []Target{{666, "\x1b[2Jevil\xff"}}
	m.Sections[SectionHost][0].TopPeer = "\x1b]0;pwned\x07"
	m.DBPath = "/tmp/\x1b[31mdb"
	var buf bytes.Buffer
	if err := RenderTTY(&buf, m, 200); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"\x1b[2Jevil", "\x1b]0;", "\x07", "\xff", "/tmp/\x1b[31m"} {
		if strings.Contains(buf.String(), bad) {
			t.Errorf("output passes %q through", bad)
		}
	}
	if !strings.Contains(buf.String(), "666 ?[2Jevil?") {
		t.Errorf("sanitized target missing:\n%s", stripANSI(buf.String()))
	}
	buf.Reset()
	if err := RenderPlain(&buf, m); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(buf.String(), "\x1b\x07\xff") {
		t.Errorf("plain output passes control bytes through:\n%q", buf.String())
	}
}
