package dashboard

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"ingero.dev/common/event"
	"ingero.dev/common/store"
)

// The load benchmark: a store.Writer (trace's) records a training-loop
// mix at writeRate into a database while `sessions` pages poll it the way
// the page does (six endpoints at once every 2 s, last five minutes).
// One iteration is one 2 s refresh of every page. It reports the API
// latency percentiles over all requests and the write rate achieved.
//
//	cd ingero-dashboard && go test -run '^$' -bench Load -benchtime 15x
const (
	writeRate     = 200_000 // events/s
	sessions      = 20
	refreshPeriod = 2 * time.Second
	prefill       = 30 * time.Second // history recorded before the pages open
)

var pagePolls = []string{"overview", "ops?since=5m", "chains?since=5m", "processes?since=5m", "snapshots?since=5m", "graph-metrics?since=5m"}

func BenchmarkLoad(b *testing.B) {
	path := filepath.Join(b.TempDir(), "live.db")
	w, err := store.OpenWriter(path, store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	must(b, w.BeginSession(event.Session{ID: "bench:1", Node: "bench", Host: "bench", StartNs: start.Add(-prefill).UnixNano(),
		Flags: map[string]string{}, PIDFilter: []uint32{}}))
	gen := &loadGen{}
	// History first, as fast as the writer takes it.
	for t := start.Add(-prefill); t.Before(start); t = t.Add(100 * time.Millisecond) {
		must(b, w.Append(gen.batch(t, writeRate/10)))
		must(b, w.PutSnapshots([]event.Snapshot{{TimeNs: t.UnixNano(), Node: "bench", CPUPct: 50, MemPct: 40, Load1: 2}}))
	}
	must(b, w.Flush())

	ctx, cancel := context.WithCancel(context.Background())
	var written atomic.Int64
	writerDone := make(chan error, 1)
	go func() {
		if os.Getenv("NOWRITE") != "" {
			writerDone <- nil
			return
		}
		writerDone <- gen.record(ctx, w, &written)
	}()

	ts, err := tryStart("-d", path)
	if err != nil {
		b.Fatal(err)
	}
	defer ts.stop()
	// Each page is a browser tab: one HTTP/2 connection it keeps.
	clients := make([]*http.Client, sessions)
	for i := range clients {
		clients[i] = &http.Client{Timeout: time.Minute, Transport: &http.Transport{TLSClientConfig: ts.tlsConfig(), ForceAttemptHTTP2: true}}
	}

	var mu sync.Mutex
	var lat []time.Duration
	byPath := map[string][]time.Duration{}
	failures := 0
	// The first load of every page computes from a cold cache; it is
	// reported apart (first-load-ms), the steady state is what the
	// percentiles describe.
	var firstLoad time.Duration
	var runStart time.Time
	var writtenAtStart int64
	for round := -1; round < b.N; round++ {
		if round == 0 {
			mu.Lock()
			firstLoad = slices.Max(lat)
			lat, byPath = lat[:0], map[string][]time.Duration{}
			mu.Unlock()
			b.ResetTimer()
			runStart = time.Now()
			writtenAtStart = written.Load()
		}
		roundStart := time.Now()
		var wg sync.WaitGroup
		for _, client := range clients {
			for _, p := range pagePolls {
				wg.Add(1)
				go func() {
					defer wg.Done()
					t0 := time.Now()
					res, err := client.Get(ts.url + "api/v1/" + p)
					d := time.Since(t0)
					mu.Lock()
					defer mu.Unlock()
					if err != nil || res.StatusCode != http.StatusOK || res.ProtoMajor != 2 {
						failures++
					}
					if err == nil {
						res.Body.Close()
					}
					lat = append(lat, d)
					byPath[p] = append(byPath[p], d)
				}()
			}
		}
		wg.Wait()
		time.Sleep(refreshPeriod - time.Since(roundStart))
	}
	elapsed := time.Since(runStart)
	b.StopTimer()
	cancel()
	must(b, <-writerDone)
	must(b, w.Close())
	if failures > 0 {
		b.Errorf("%d of %d requests failed", failures, len(lat))
	}
	for _, p := range pagePolls {
		l := byPath[p]
		slices.Sort(l)
		b.Logf("%-20s p50 %6.1f ms  p95 %6.1f ms", p, ms(l[len(l)/2]), ms(l[len(l)*95/100]))
	}
	slices.Sort(lat)
	q := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(q(0.5), "p50-ms")
	b.ReportMetric(q(0.95), "p95-ms")
	b.ReportMetric(q(0.99), "p99-ms")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
	b.ReportMetric(float64(written.Load()-writtenAtStart)/elapsed.Seconds(), "written-events/s")
	b.ReportMetric(ms(firstLoad), "first-load-ms")
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "requests/s")
}

// loadGen makes the events of a training loop and a co-tenant: per
// step, 12 runtime launches, a copy and a stream sync, plus driver
// launches and preemptions, about 15 events per 50 µs-apart step.
type loadGen struct{ n int64 }

func (g *loadGen) batch(at time.Time, n int) []event.Event {
	evs := make([]event.Event, n)
	base := at.UnixNano()
	step := int64(100*time.Millisecond) / int64(n)
	for i := range evs {
		g.n++
		e := event.Event{TimeNs: base + int64(i)*step, PID: 4821, TID: 4821, Comm: "python3", Node: "bench", GPU: 0,
			Source: event.SourceCUDA, Op: event.CudaLaunchKernel}
		switch g.n % 16 {
		case 12:
			e.Op, e.DurNs = event.CudaMemcpyAsync, 38_000+g.n%9_000
		case 13:
			e.Op, e.DurNs = event.CudaStreamSynchronize, 8_000_000+(g.n*7919)%3_000_000
		case 14:
			e.PID, e.TID, e.Comm, e.Source, e.Op = 5032, 5032, "embedding-svc", event.SourceDriver, event.CuLaunchKernel
		case 15:
			e.Source, e.Op, e.DurNs, e.GPU, e.PeerPID, e.PeerComm = event.SourceHost, event.SchedSwitch, 2_000_000+g.n%1_000_000, -1, 8821, "logrotate"
		}
		evs[i] = e
	}
	return evs
}

// record appends a batch every 100 ms, stamped now, as trace's flushes
// would, and a snapshot every second, until ctx ends.
func (g *loadGen) record(ctx context.Context, w *store.Writer, written *atomic.Int64) error {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			return nil
		case now := <-tick.C:
			if err := w.Append(g.batch(now.Add(-100*time.Millisecond), writeRate/10)); err != nil {
				return fmt.Errorf("append: %w", err)
			}
			written.Add(writeRate / 10)
			if i%10 == 0 {
				if err := w.PutSnapshots([]event.Snapshot{{TimeNs: now.UnixNano(), Node: "bench", CPUPct: 50, MemPct: 40, Load1: 2}}); err != nil {
					return err
				}
			}
		}
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
