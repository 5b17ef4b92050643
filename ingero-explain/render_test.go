package explain

import (
	"context"
	"testing"
	"time"

	"ingero.dev/common/causal"
	"ingero.dev/common/event"
	"ingero.dev/common/source"
)

// fixedEngine stands in for the causal engine so that the rendering is
// tested on its own: it counts the window's events from the store and
// reports the given chains and per-process stats whenever there are any.
func fixedEngine(chains []event.Chain, got *causal.Options) analyzeFunc {
	return func(ctx context.Context, r source.Source, opts causal.Options) (*causal.Report, error) {
		if got != nil {
			*got = opts
		}
		n, err := countEvents(ctx, r, opts.FromNs, opts.ToNs, opts.PIDs)
		if err != nil {
			return nil, err
		}
		rep := &causal.Report{FromNs: opts.FromNs, ToNs: opts.ToNs, Events: n}
		if n > 0 {
			rep.Chains, rep.PerProcess, rep.Contention = chains, fixedPerProcess(), true
		}
		return rep, nil
	}
}

func fixedPerProcess() []causal.OpStats {
	op := func(pid uint32, comm string, src event.Source, o event.Op, calls, errs, p50, p95, p99 int64) causal.OpStats {
		return causal.OpStats{PID: pid, Comm: comm, Key: event.Key{Source: src, Op: o}, Name: event.OpName(src, o),
			Calls: calls, Errors: errs, P50: p50, P95: p95, P99: p99, MaxNs: p99 * 2, TotalNs: calls * p50}
	}
	return []causal.OpStats{
		op(4821, "vllm-worker", event.SourceDriver, event.CuLaunchKernel, 12847, 0, 4800, 11200, 16100),
		op(4821, "vllm-worker", event.SourceCUDA, event.CudaMemcpyAsync, 892, 0, 38000, 124000, 891000),
		op(4821, "vllm-worker", event.SourceCUDA, event.CudaMallocManaged, 14, 2, 112000, 2100000, 8400000),
		op(4821, "vllm-worker", event.SourceHost, event.SchedSwitch, 40, 0, 1000, 2000, 3000),
		op(5032, "embedding-svc", event.SourceDriver, event.CuLaunchKernel, 3201, 0, 5100, 12800, 19400),
		op(5032, "embedding-svc", event.SourceCUDA, event.CudaMemcpy, 448, 0, 42000, 98000, 412000),
		op(6000, "sshd", event.SourceHost, event.SchedWakeup, 9, 0, 0, 0, 0),
	}
}

func TestGoldenRendering(t *testing.T) {
	db := writeFixtureDB(t)
	multi := fixtureChains()
	multi[1].Node = "gpu-node-08"
	tests := []struct {
		name   string
		chains []event.Chain
		args   []string
	}{
		{"report", fixtureChains(), nil},
		{"report_per_process", fixtureChains(), []string{"--per-process"}},
		{"report_json", fixtureChains(), []string{"--json"}},
		{"per_process_json", fixtureChains(), []string{"--per-process", "--json"}},
		{"report_annotations", fixtureChains(), []string{"--annotations"}},
		{"report_annotations_json", fixtureChains(), []string{"--annotations", "--json"}},
		{"report_no_chains", nil, nil},
		{"report_no_chains_json", nil, []string{"--json"}},
		{"report_nodes", multi, []string{"--since", "1h"}},
		{"stored", nil, []string{"--chains"}},
		{"stored_json", nil, []string{"--chains", "--json"}},
		{"stored_pid", nil, []string{"--chains", "--pid", "5032"}},
		{"stored_none", nil, []string{"--chains", "--from", "2026-05-24T15:40:00Z", "--to", "2026-05-24T15:41:00Z"}},
		{"empty_before", fixtureChains(), []string{"--from", "2026-05-24T10:00:00Z", "--to", "2026-05-24T11:00:00Z"}},
		{"empty_pid", fixtureChains(), []string{"--pid", "1234", "--per-process"}},
		{"empty_json", fixtureChains(), []string{"--json", "--from", "2026-05-24T10:00:00Z", "--to", "2026-05-24T11:00:00Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runWith(t, fixedEngine(tt.chains, nil), append([]string{"-d", db}, tt.args...)...)
			if r.code != 0 || r.err != "" {
				t.Fatalf("exit %d: %s", r.code, r.err)
			}
			golden(t, tt.name, r.out)
		})
	}
}

// A recording that ended hours ago: the hint reaches back with --since.
func TestEmptyWindowHintReachesBack(t *testing.T) {
	db := writeFixtureDB(t)
	defer func(n time.Time) { now = n }(now)
	now = now.Add(2*time.Hour + 10*time.Minute)
	r := runWith(t, fixedEngine(nil, nil), "-d", db)
	want := "No events recorded over 5m (17:50:00 to 17:55:00).\n" +
		"The recording's 31,145 events span 2026-05-24 15:40:00 → 15:44:59 (4m59.79009s); try --since 3h.\n"
	if r.code != 0 || r.out != want {
		t.Errorf("exit %d, stdout\n%s\nwant\n%s", r.code, r.out, want)
	}
}

// The command line reaches the engine as Options.
func TestEngineOptions(t *testing.T) {
	db := writeFixtureDB(t)
	tests := []struct {
		args []string
		want causal.Options
	}{
		{nil, causal.Options{FromNs: at(0), ToNs: at(5 * time.Minute)}},
		{[]string{"--since", "1h30m", "--pid", "5032,4821,5032"}, causal.Options{FromNs: at(-85 * time.Minute), ToNs: at(5 * time.Minute), PIDs: []uint32{5032, 4821}}},
		{[]string{"--last", "100"}, causal.Options{ToNs: at(5 * time.Minute), Last: 100}},
		{[]string{"--last", "100", "--since", "1m"}, causal.Options{FromNs: at(4 * time.Minute), ToNs: at(5 * time.Minute), Last: 100}},
		{[]string{"--from", "@1779637260", "--to", "2026-05-24T15:42:00Z"}, causal.Options{FromNs: at(time.Minute), ToNs: at(2 * time.Minute)}},
	}
	for _, tt := range tests {
		var got causal.Options
		if r := runWith(t, fixedEngine(nil, &got), append([]string{"-d", db}, tt.args...)...); r.code != 0 {
			t.Fatalf("%q: exit %d: %s", tt.args, r.code, r.err)
		}
		if !got.Now.Equal(now) {
			t.Errorf("%q: Now = %v, want %v", tt.args, got.Now, now)
		}
		got.Now = time.Time{}
		if got.FromNs != tt.want.FromNs || got.ToNs != tt.want.ToNs || got.Last != tt.want.Last || len(got.PIDs) != len(tt.want.PIDs) {
			t.Errorf("%q: options %+v, want %+v", tt.args, got, tt.want)
		}
		for i := range got.PIDs {
			if got.PIDs[i] != tt.want.PIDs[i] {
				t.Errorf("%q: PIDs %v, want %v", tt.args, got.PIDs, tt.want.PIDs)
			}
		}
	}
}
