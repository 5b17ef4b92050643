package mcp

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"ingero.dev/common/event"
	"ingero.dev/common/report"
	"ingero.dev/common/store"
)

// GraphFrequencyIn selects the launches to rate.
type GraphFrequencyIn struct {
	Common
	PID           uint32 `json:"pid,omitempty" jsonschema:"only this process; 0 or absent: every process"`
	WindowSeconds int    `json:"window_seconds,omitempty" jsonschema:"rate launches over the last N seconds of the window (default 60)"`
}

// GraphFrequencyOut rates every executable graph's launches.
type GraphFrequencyOut struct {
	Window        report.Window `json:"window"`
	WindowSeconds int           `json:"window_seconds"`
	Note          string        `json:"note,omitempty" fence:"ours"`
	// Recaptures counts instantiations beyond one per executable: a graph
	// captured and instantiated again, usually because its shapes changed.
	Recaptures int64       `json:"recaptures"`
	Execs      []GraphExec `json:"execs"` // hottest first; [] when none
}

// GraphExec is one executable graph.
type GraphExec struct {
	PID      uint32  `json:"pid"`
	Exec     string  `json:"exec"`
	Graph    string  `json:"graph,omitempty"` // the graph it was instantiated from, when recorded
	Launches int64   `json:"launches"`        // in the whole window
	Recent   int64   `json:"recent"`          // in the last window_seconds
	Rate     float64 `json:"rate_per_s"`      // Recent / window_seconds
	// Class is "hot" (at least 1/s and at least the median rate of the
	// launched executables), "cold" (launched, less often) or
	// "never-launched" (instantiated only).
	Class string `json:"class"`
	First string `json:"first,omitempty"` // first launch
	Last  string `json:"last,omitempty"`  // last launch
}

type execKey struct {
	pid  uint32
	exec uint64
}

type execAcc struct {
	GraphExec
	graph         uint64
	firstNs, last int64
	inst          int64
	launchTimes   []int64 // only those that may fall in the recent span
}

func (s *server) graphFrequency(ctx context.Context, in GraphFrequencyIn) (*GraphFrequencyOut, error) {
	secs := in.WindowSeconds
	if secs == 0 {
		secs = 60
	}
	if secs < 1 || secs > 86400 {
		return nil, fmt.Errorf("window_seconds %d: between 1 and 86400", in.WindowSeconds)
	}
	r, w, err := s.openWindow(in.Common)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	out := &GraphFrequencyOut{Window: w.report(), WindowSeconds: secs, Execs: []GraphExec{}}
	f := store.Filter{FromNs: w.FromNs, ToNs: w.ToNs, Ops: graphKeys[2:]}
	if in.PID != 0 {
		f.PIDs = []uint32{in.PID}
	}
	accs := map[execKey]*execAcc{}
	err = r.Events(ctx, f, func(ev *event.Event) error {
		k := execKey{ev.PID, ev.Args[0]}
		if ev.Op == event.GraphInstantiate {
			k.exec = ev.Args[1]
		}
		a := accs[k]
		if a == nil {
			a = &execAcc{GraphExec: GraphExec{PID: ev.PID, Exec: hex(k.exec)}}
			accs[k] = a
		}
		if ev.Op == event.GraphInstantiate {
			a.inst++
			a.graph = ev.Args[0]
			return nil
		}
		a.Launches++
		if a.firstNs == 0 {
			a.firstNs = ev.TimeNs
		}
		a.last = ev.TimeNs
		a.launchTimes = append(a.launchTimes, ev.TimeNs)
		// Launch storms reach 100k/s: keep only what can still count.
		if len(a.launchTimes) > 4096 {
			a.launchTimes = trimBefore(a.launchTimes, ev.TimeNs-int64(secs)*1e9)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Rates are of the window's end, not of each executable's last
	// launch: one that stopped launching a while ago is cold now.
	since := w.end() - int64(secs)*1e9
	for _, a := range accs {
		a.launchTimes = trimBefore(a.launchTimes, since)
		a.Recent = int64(len(a.launchTimes))
		a.Rate = round3(float64(a.Recent) / float64(secs))
		if a.graph != 0 {
			a.Graph = hex(a.graph)
		}
		if a.Launches > 0 {
			a.First, a.Last = report.Stamp(a.firstNs), report.Stamp(a.last)
		}
		if a.inst > 1 {
			out.Recaptures += a.inst - 1
		}
		out.Execs = append(out.Execs, a.GraphExec)
	}
	classify(out.Execs)
	slices.SortFunc(out.Execs, func(a, b GraphExec) int {
		return cmp.Or(cmp.Compare(b.Rate, a.Rate), cmp.Compare(b.Launches, a.Launches), cmp.Compare(a.PID, b.PID), cmp.Compare(a.Exec, b.Exec))
	})
	if len(out.Execs) == 0 {
		out.Note, err = s.noGraphs(ctx, r, in.PID)
	}
	return out, err
}

func trimBefore(ts []int64, since int64) []int64 {
	i, _ := slices.BinarySearch(ts, since)
	return append(ts[:0], ts[i:]...)
}

func classify(execs []GraphExec) {
	var rates []float64
	for _, e := range execs {
		if e.Launches > 0 {
			rates = append(rates, e.Rate)
		}
	}
	slices.Sort(rates)
	median := 0.0
	if len(rates) > 0 {
		median = rates[len(rates)/2]
	}
	for i := range execs {
		e := &execs[i]
		switch {
		case e.Launches == 0:
			e.Class = "never-launched"
		case e.Rate >= 1 && e.Rate >= median:
			e.Class = "hot"
		default:
			e.Class = "cold"
		}
	}
}

func round3(f float64) float64 { return float64(int64(f*1000+0.5)) / 1000 }
