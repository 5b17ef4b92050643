package trace

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"ingero.dev/common/cli"
	"ingero.dev/common/httpsec"
)

// promCollector renders the meter at scrape time: the values are the
// meter's, so a scrape and an OTLP push of the same moment agree.
type promCollector struct {
	m     *meter
	descs map[*metricDef]*prometheus.Desc
}

func newPromCollector(m *meter, constLabels prometheus.Labels) *promCollector {
	c := &promCollector{m: m, descs: map[*metricDef]*prometheus.Desc{}}
	for _, d := range allDefs {
		c.descs[d] = prometheus.NewDesc(d.prom, d.help, d.labels, constLabels)
	}
	return c
}

func (c *promCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range c.descs {
		ch <- d
	}
}

func (c *promCollector) Collect(ch chan<- prometheus.Metric) {
	for _, f := range c.m.read() {
		desc := c.descs[f.def]
		for _, p := range f.points {
			switch f.def.kind {
			case kindHistogram:
				ch <- prometheus.MustNewConstHistogram(desc, p.hist.count, p.hist.sum, cumulative(p.hist), p.labels...)
			case kindCounter:
				ch <- prometheus.MustNewConstMetric(desc, prometheus.CounterValue, p.value, p.labels...)
			default:
				ch <- prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, p.value, p.labels...)
			}
		}
	}
}

// cumulative is the histogram's buckets as Prometheus counts them; the
// overflow bucket is +Inf, which is the count.
func cumulative(s *latencySeries) map[float64]uint64 {
	out := make(map[float64]uint64, len(latencyBounds))
	var n uint64
	for i, b := range latencyBounds {
		n += s.buckets[i]
		out[b] = n
	}
	return out
}

// checkPromAddr applies the rule the dashboard and mcp follow for plain
// HTTP: loopback only. /metrics labels carry process names, and it has
// no TLS or token of its own.
func checkPromAddr(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return cli.Usagef("--prometheus %q: %v (want HOST:PORT, e.g. 127.0.0.1:9464)", addr, err)
	}
	if !httpsec.IsLoopbackHost(host) {
		shown := host
		if shown == "" {
			shown = "every interface"
		}
		return cli.Usagef("--prometheus %s: /metrics is plain HTTP, served on loopback only, not on %s: use --prometheus 127.0.0.1:%s and scrape through a local agent, or push with --otlp",
			addr, shown, portOf(addr))
	}
	return nil
}

func portOf(addr string) string {
	_, p, _ := net.SplitHostPort(addr)
	return p
}

// servePrometheus serves /metrics until ctx ends; it reports the bound
// address on bound (port 0 picks one) and a failure to listen at once.
func servePrometheus(ctx context.Context, addr string, m *meter, node string, errLog io.Writer, bound func(net.Addr)) (<-chan error, error) {
	reg := prometheus.NewRegistry()
	if err := reg.Register(newPromCollector(m, prometheus.Labels{"node": node})); err != nil {
		return nil, fmt.Errorf("registering metrics: %w", err)
	}
	// trace's own cost is part of what an operator watches.
	reg.MustRegister(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), collectors.NewGoCollector())
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorLog: promLog{errLog}}))
	ready := make(chan net.Addr, 1)
	srv := &httpsec.Server{Addr: addr, Handler: mux, ErrorLog: errLog,
		OnListen: func(a net.Addr) { ready <- a }}
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	select {
	case a := <-ready:
		if bound != nil {
			bound(a)
		}
		return done, nil
	case err := <-done:
		return nil, fmt.Errorf("--prometheus: %w", err)
	}
}

type promLog struct{ w io.Writer }

func (l promLog) Println(v ...any) { fmt.Fprintln(l.w, append([]any{"warning: /metrics:"}, v...)...) }
