package explain

import (
	"encoding/json"
	"io"
	"time"

	"ingero.dev/common/event"
)

// The --json shapes are a contract (docs/json.md): fields are only ever
// added. Times are RFC 3339 in UTC with nine fractional digits, as in
// trace --json.

type jsonWindow struct {
	From *string `json:"from"` // null when the window has no start
	To   string  `json:"to"`
}

type jsonReport struct {
	Window jsonWindow  `json:"window"`
	Events int64       `json:"events"`
	Chains []jsonChain `json:"chains"`
}

type jsonChain struct {
	ID          string              `json:"id"`
	Severity    string              `json:"severity"`
	Rule        string              `json:"rule"`
	Op          string              `json:"op"`
	PID         uint32              `json:"pid"`
	Node        string              `json:"node"`
	Detected    string              `json:"detected"`
	Summary     string              `json:"summary"`
	RootCause   string              `json:"root_cause"`
	Fix         string              `json:"fix"`
	Timeline    []jsonStep          `json:"timeline"`
	Evidence    map[string]any      `json:"evidence"`
	Annotations []map[string]string `json:"annotations,omitempty"`
}

type jsonStep struct {
	Timestamp string `json:"timestamp"`
	Layer     string `json:"layer"`
	Detail    string `json:"detail"`
}

func stamp(ns int64) string {
	return time.Unix(0, ns).UTC().Format("2006-01-02T15:04:05.000000000Z")
}

func (v *view) jsonWindow() jsonWindow {
	w := jsonWindow{To: stamp(v.rep.ToNs)}
	if v.rep.FromNs != 0 {
		s := stamp(v.rep.FromNs)
		w.From = &s
	}
	return w
}

func writeReportJSON(w io.Writer, v *view) error {
	out := jsonReport{Window: v.jsonWindow(), Events: v.rep.Events, Chains: []jsonChain{}}
	for i, ch := range v.rep.Chains {
		jc := chainJSON(ch)
		if v.labels != nil {
			jc.Annotations = nonNil(v.labels[i])
		}
		out.Chains = append(out.Chains, jc)
	}
	return writeJSON(w, out)
}

func chainJSON(ch event.Chain) jsonChain {
	jc := jsonChain{
		ID: ch.ID, Severity: ch.Severity.String(), Rule: ch.Rule, Op: ch.Op, PID: ch.PID, Node: ch.Node,
		Detected: stamp(ch.DetectedNs), Summary: ch.Summary, RootCause: ch.RootCause, Fix: ch.Fix,
		Timeline: []jsonStep{}, Evidence: ch.Evidence,
	}
	if jc.Evidence == nil {
		jc.Evidence = map[string]any{}
	}
	for _, te := range ch.Timeline {
		jc.Timeline = append(jc.Timeline, jsonStep{Timestamp: stamp(te.TimeNs), Layer: te.Layer, Detail: te.Detail})
	}
	return jc
}

// nonNil makes "no annotation applies" an empty list rather than an
// absent field, once --annotations asked for them.
func nonNil(labels []map[string]string) []map[string]string {
	if labels == nil {
		return []map[string]string{}
	}
	return labels
}

type jsonPerProcess struct {
	Window     jsonWindow    `json:"window"`
	Processes  []jsonProcess `json:"processes"`
	Contention bool          `json:"contention"`
}

type jsonProcess struct {
	PID     uint32       `json:"pid"`
	Name    string       `json:"name"`
	Ops     []jsonOp     `json:"ops"`
	Threads []jsonThread `json:"threads"`
}

type jsonOp struct {
	Source  string `json:"source"`
	Op      string `json:"op"`
	Calls   int64  `json:"calls"`
	Errors  int64  `json:"errors"`
	P50Ns   int64  `json:"p50_ns"`
	P95Ns   int64  `json:"p95_ns"`
	P99Ns   int64  `json:"p99_ns"`
	MaxNs   int64  `json:"max_ns"`
	TotalNs int64  `json:"total_ns"`
	// Entry-only probes record no latency: the percentiles are then 0
	// and mean nothing, and per_second is the measure.
	LatencyRecorded bool    `json:"latency_recorded"`
	PerSecond       float64 `json:"per_second"`
}

func writePerProcessJSON(w io.Writer, v *view) error {
	out := jsonPerProcess{Window: v.jsonWindow(), Processes: []jsonProcess{}, Contention: v.rep.Contention}
	for _, p := range processes(v.rep) {
		jp := jsonProcess{PID: p.PID, Name: p.Name}
		for _, s := range p.Ops {
			jp.Ops = append(jp.Ops, jsonOp{Source: s.Key.Source.String(), Op: s.Name, Calls: s.Calls, Errors: s.Errors,
				P50Ns: s.P50, P95Ns: s.P95, P99Ns: s.P99, MaxNs: s.MaxNs, TotalNs: s.TotalNs,
				LatencyRecorded: !s.Untimed, PerSecond: round2(s.PerSecond)})
		}
		jp.Threads = []jsonThread{}
		for _, a := range p.Threads {
			jp.Threads = append(jp.Threads, threadJSON(&a))
		}
		out.Processes = append(out.Processes, jp)
	}
	return writeJSON(w, out)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
