package tui

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"ingero.dev/common/event"
	"ingero.dev/common/hist"
)

var start = time.Date(2026, 5, 24, 15, 40, 0, 0, time.UTC)

func findRow(t *testing.T, m *Model, name string) *Row {
	t.Helper()
	for sec := range m.Sections {
		for i := range m.Sections[sec] {
			if m.Sections[sec][i].Name == name {
				return &m.Sections[sec][i]
			}
		}
	}
	t.Fatalf("no row %s", name)
	return nil
}

func TestStatsCountsRatesAndPercentiles(t *testing.T) {
	s := NewStats(start, false)
	r := rand.New(rand.NewPCG(1, 2))
	var durs []int64
	for i := range 5_000 {
		d := 10_000 + r.Int64N(20_000)
		durs = append(durs, d)
		s.Observe(&event.Event{Source: event.SourceCUDA, Op: event.CudaStreamSynchronize, DurNs: d})
		if i%2 == 0 {
			s.Observe(&event.Event{Source: event.SourceDriver, Op: event.CuLaunchKernel})
		}
	}
	m := s.Model(start.Add(2 * time.Second))
	if m.TotalEvents != 7_500 || m.EventsPerSec != 3_750 || m.Elapsed != 2*time.Second {
		t.Errorf("totals: %d events, %v/s, elapsed %v", m.TotalEvents, m.EventsPerSec, m.Elapsed)
	}
	sync := findRow(t, &m, "cudaStreamSynchronize")
	if sync.Count != 5_000 || sync.Rate != 2_500 || !sync.Latency {
		t.Errorf("sync row %+v", sync)
	}
	slices.Sort(durs)
	for _, c := range []struct {
		got int64
		q   float64
	}{{sync.P50, 0.5}, {sync.P95, 0.95}, {sync.P99, 0.99}} {
		want := durs[hist.NearestRank(c.q, uint64(len(durs)))-1]
		if math.Abs(float64(c.got-want)) > float64(want)/100 {
			t.Errorf("p%v = %d, exact %d", c.q*100, c.got, want)
		}
	}
	launch := findRow(t, &m, "cuLaunchKernel")
	if launch.Latency || launch.Count != 2_500 || launch.Rate != 1_250 {
		t.Errorf("a launch without --launch-latency must have count and rate only: %+v", launch)
	}
	if len(m.Sections[SectionRuntime]) != 1 || len(m.Sections[SectionDriver]) != 1 {
		t.Errorf("sections: %+v", m.Sections)
	}

	// The next interval's rates count only its own events.
	s.Observe(&event.Event{Source: event.SourceCUDA, Op: event.CudaStreamSynchronize, DurNs: 20_000})
	m = s.Model(start.Add(4 * time.Second))
	if sync := findRow(t, &m, "cudaStreamSynchronize"); sync.Rate != 0.5 || sync.Count != 5_001 {
		t.Errorf("second interval: rate %v count %d", sync.Rate, sync.Count)
	}
	if launch := findRow(t, &m, "cuLaunchKernel"); launch.Rate != 0 {
		t.Errorf("idle op rate = %v", launch.Rate)
	}
}

func TestStatsLaunchLatency(t *testing.T) {
	s := NewStats(start, true)
	for i := range 20 {
		s.Observe(&event.Event{Source: event.SourceCUDA, Op: event.CudaLaunchKernel, DurNs: int64(4_000 + i)})
	}
	m := s.Model(start.Add(time.Second))
	if r := findRow(t, &m, "cudaLaunchKernel"); !r.Latency || r.P50 < 4_000 || r.P50 > 4_020 {
		t.Errorf("with --launch-latency launches carry percentiles: %+v", r)
	}
	if !m.LaunchLatency {
		t.Error("Model must mirror launchLatency")
	}
}

func TestStatsAnomalies(t *testing.T) {
	s := NewStats(start, false)
	sync := func(d int64) {
		s.Observe(&event.Event{Source: event.SourceCUDA, Op: event.CudaStreamSynchronize, DurNs: d})
	}
	// No p50 yet: nothing can be an anomaly.
	for range 5 {
		sync(1_000_000)
	}
	sync(50_000_000)
	m := s.Model(start.Add(time.Second))
	if r := findRow(t, &m, "cudaStreamSynchronize"); r.Anomalies != 0 {
		t.Fatalf("anomalies before any p50: %d", r.Anomalies)
	}
	for range 10 {
		sync(1_000_000)
	}
	s.Model(start.Add(2 * time.Second)) // p50 ≈ 1ms is now known
	sync(2_900_000)                     // below 3× p50
	sync(3_100_000)
	sync(40_000_000)
	m = s.Model(start.Add(3 * time.Second))
	r := findRow(t, &m, "cudaStreamSynchronize")
	if r.Anomalies != 2 || r.NewAnomalies != 2 || !r.anomalyFlag() {
		t.Errorf("anomalies = %d new %d, want 2 and 2", r.Anomalies, r.NewAnomalies)
	}
	m = s.Model(start.Add(4 * time.Second))
	if r := findRow(t, &m, "cudaStreamSynchronize"); r.NewAnomalies != 0 || r.Anomalies != 2 {
		t.Errorf("a quiet interval: new %d total %d", r.NewAnomalies, r.Anomalies)
	}
}

func TestStatsHostPeersErrorsAndMeta(t *testing.T) {
	s := NewStats(start, false)
	for i := range 10 {
		peer := "logrotate"
		if i%3 == 0 {
			peer = "kworker/3:1"
		}
		s.Observe(&event.Event{Source: event.SourceHost, Op: event.SchedSwitch, DurNs: 1_000, PeerPID: 8821, PeerComm: peer})
	}
	s.Observe(&event.Event{Source: event.SourceHost, Op: event.ProcessFork, PeerPID: 9, PeerComm: "child"})
	s.Observe(&event.Event{Source: event.SourceCUDA, Op: event.CudaMalloc, DurNs: 5_000, Ret: 2})
	s.Observe(&event.Event{Source: event.SourceSystem, Op: event.Drops, Args: [4]uint64{5, 6, 7}})
	s.Observe(&event.Event{Source: event.SourceIO, Op: event.BlockRead, DurNs: 90_000})
	s.Observe(&event.Event{Source: event.SourceNCCL, Op: event.NCCLAllReduce, DurNs: 90_000})
	s.Observe(&event.Event{Source: 77, Op: 3})
	s.SetDrops(event.SessionStats{KernelDrops: 1, UserDrops: 2, SampledOut: 3})
	m := s.Model(start.Add(time.Second))

	if r := findRow(t, &m, "sched_switch"); r.TopPeer != "logrotate" || r.TopPeerCount != 6 {
		t.Errorf("top peer = %q ×%d", r.TopPeer, r.TopPeerCount)
	}
	if r := findRow(t, &m, "process_fork"); r.Latency || r.TopPeer != "" {
		t.Errorf("fork has no durations and no peer ranking: %+v", r)
	}
	if r := findRow(t, &m, "cudaMalloc"); r.Errors != 1 || !r.errorFlag() {
		t.Errorf("errors = %d", r.Errors)
	}
	if m.TotalEvents != 14 {
		t.Errorf("meta and unknown-source events must not count: total %d", m.TotalEvents)
	}
	if m.Drops.KernelDrops != 1 || m.Drops.UserDrops != 2 || m.Drops.SampledOut != 3 {
		t.Errorf("drops = %+v", m.Drops)
	}
	hostNames := []string{}
	for _, r := range m.Sections[SectionHost] {
		hostNames = append(hostNames, r.Name)
	}
	if !slices.Equal(hostNames, []string{"sched_switch", "process_fork", "block_read"}) {
		t.Errorf("host rows = %v (host, then io, in op-id order)", hostNames)
	}
	if r := findRow(t, &m, "ncclAllReduce"); r.Count != 1 {
		t.Errorf("nccl row %+v", r)
	}
}

func TestStatsPeerTableIsBounded(t *testing.T) {
	s := NewStats(start, false)
	names := make([]string, maxPeers+50)
	for i := range names {
		names[i] = string(rune('a'+i%26)) + string(rune('A'+i/26))
		s.Observe(&event.Event{Source: event.SourceHost, Op: event.SchedSwitch, PeerComm: names[i]})
	}
	o := s.bySource[event.SourceHost][event.SchedSwitch]
	if len(o.peers) != maxPeers {
		t.Errorf("peer table holds %d names, bound is %d", len(o.peers), maxPeers)
	}
}

func TestModelBeforeAnyTimePasses(t *testing.T) {
	s := NewStats(start, false)
	s.Observe(&event.Event{Source: event.SourceCUDA, Op: event.CudaMalloc, DurNs: 1})
	m := s.Model(start)
	if m.EventsPerSec != 0 || findRow(t, &m, "cudaMalloc").Rate != 0 {
		t.Error("a zero-length interval must give zero rates, not Inf")
	}
}

func TestAverageRatesOverTheSession(t *testing.T) {
	start := time.Unix(1000, 0)
	s := NewStats(start, false)
	for i := 0; i < 300; i++ {
		s.Observe(&event.Event{Source: event.SourceCUDA, Op: event.CudaStreamSynchronize, DurNs: 1000})
	}
	s.Model(start.Add(2 * time.Second)) // the busy interval
	m := s.Model(start.Add(3 * time.Second))
	if r := m.Sections[SectionRuntime][0].Rate; r != 0 {
		t.Fatalf("a quiet last interval: rate %v, want 0", r)
	}
	m.AverageRates()
	if r := m.Sections[SectionRuntime][0].Rate; r != 100 || m.EventsPerSec != 100 {
		t.Errorf("average rates %v and %v events/s, want 100 (300 calls in 3s)", r, m.EventsPerSec)
	}
}
