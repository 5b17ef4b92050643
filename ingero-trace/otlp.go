package trace

import (
	"context"
	"fmt"
	"io"
	"net"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/resource"

	"ingero.dev/common/cli"
	"ingero.dev/common/httpsec"
)

// otlpInterval is how often metrics are pushed: the collector's own
// default scrape-equivalent, and cheap next to the 1 s snapshots.
const otlpInterval = 10 * time.Second

// otlpProducer hands the meter to the SDK's reader: the SDK does the
// pushing, retries and encoding, the meter stays the one source of the
// numbers /metrics shows too.
type otlpProducer struct {
	m     *meter
	start time.Time
}

func (p *otlpProducer) Produce(context.Context) ([]metricdata.ScopeMetrics, error) {
	now := time.Now()
	var ms []metricdata.Metrics
	for _, f := range p.m.read() {
		ms = append(ms, p.metric(f, now))
	}
	return []metricdata.ScopeMetrics{{
		Scope:   instrumentation.Scope{Name: "ingero.dev/ingero-trace", Version: cli.Version()},
		Metrics: ms,
	}}, nil
}

func (p *otlpProducer) metric(f metricFamily, now time.Time) metricdata.Metrics {
	d := f.def
	out := metricdata.Metrics{Name: d.otel, Description: d.help, Unit: d.unit}
	attrs := func(pt point) attribute.Set {
		kv := make([]attribute.KeyValue, len(d.labels))
		for i, l := range d.labels {
			kv[i] = attribute.String(l, pt.labels[i])
		}
		return attribute.NewSet(kv...)
	}
	switch d.kind {
	case kindHistogram:
		h := metricdata.Histogram[float64]{Temporality: metricdata.CumulativeTemporality}
		for _, pt := range f.points {
			h.DataPoints = append(h.DataPoints, metricdata.HistogramDataPoint[float64]{
				Attributes: attrs(pt), StartTime: p.start, Time: now,
				Count: pt.hist.count, Sum: pt.hist.sum,
				Bounds: latencyBounds, BucketCounts: pt.hist.buckets,
			})
		}
		out.Data = h
	case kindCounter:
		s := metricdata.Sum[int64]{Temporality: metricdata.CumulativeTemporality, IsMonotonic: true}
		for _, pt := range f.points {
			s.DataPoints = append(s.DataPoints, metricdata.DataPoint[int64]{
				Attributes: attrs(pt), StartTime: p.start, Time: now, Value: int64(pt.value)})
		}
		out.Data = s
	default:
		g := metricdata.Gauge[float64]{}
		for _, pt := range f.points {
			g.DataPoints = append(g.DataPoints, metricdata.DataPoint[float64]{
				Attributes: attrs(pt), Time: now, Value: pt.value})
		}
		out.Data = g
	}
	return out
}

// checkOTLPAddr takes HOST:PORT. Loopback is pushed over plain HTTP; any
// other host over HTTPS, as httpsec's rule for plain HTTP has it.
func checkOTLPAddr(addr string) error {
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return cli.Usagef("--otlp %q: %v (want HOST:PORT of an OTLP/HTTP receiver, e.g. localhost:4318)", addr, err)
	}
	return nil
}

// otlpResource names this node, its GPUs and driver for the backend.
func otlpResource(node, gpuModel, driver string, gpus int) (*resource.Resource, error) {
	attrs := []attribute.KeyValue{
		attribute.String("service.name", "ingero"),
		attribute.String("service.version", cli.Version()),
		attribute.String("host.name", node),
		attribute.String("ingero.node", node),
	}
	if gpuModel != "" {
		attrs = append(attrs, attribute.String("gpu.model", gpuModel), attribute.Int("gpu.count", gpus))
	}
	if driver != "" {
		attrs = append(attrs, attribute.String("gpu.driver.version", driver))
	}
	return resource.New(context.Background(), resource.WithAttributes(attrs...))
}

// startOTLP pushes the meter every interval until shutdown, which pushes
// once more so the last numbers reach the collector.
func startOTLP(ctx context.Context, addr string, m *meter, res *resource.Resource, interval time.Duration, warn io.Writer) (*sdkmetric.MeterProvider, error) {
	// A push that fails (collector down) is a warning; the SDK retries
	// and the next push carries the cumulative counts anyway.
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
		fmt.Fprintf(warn, "warning: OTLP push to %s: %v\n", addr, err)
	}))
	host, _, _ := net.SplitHostPort(addr)
	opts := []otlpmetrichttp.Option{otlpmetrichttp.WithEndpoint(addr)}
	if httpsec.IsLoopbackHost(host) {
		opts = append(opts, otlpmetrichttp.WithInsecure())
	}
	exp, err := otlpmetrichttp.New(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("--otlp %s: %w", addr, err)
	}
	reader := sdkmetric.NewPeriodicReader(exp, sdkmetric.WithInterval(interval),
		sdkmetric.WithProducer(&otlpProducer{m: m, start: m.start}))
	return sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader), sdkmetric.WithResource(res)), nil
}
