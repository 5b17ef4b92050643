package trace

import (
	"context"
	"fmt"
	"io"
	"net"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploghttp"
	otellog "go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/resource"

	"ingero.dev/common/cli"
	"ingero.dev/common/event"
	"ingero.dev/common/httpsec"
)

// chainLog sends each causal chain to the OTLP endpoint as a log record
// (event name ingero.chain) when the live analysis first reports it, and
// again when its severity rises; the gauges count chains, the records
// say what they are.
type chainLog struct {
	provider *sdklog.LoggerProvider
	logger   otellog.Logger
	sent     map[string]event.Severity // chain ID: the severity last sent
}

func startChainLog(ctx context.Context, addr string, res *resource.Resource) (*chainLog, error) {
	host, _, _ := net.SplitHostPort(addr)
	opts := []otlploghttp.Option{otlploghttp.WithEndpoint(addr)}
	if httpsec.IsLoopbackHost(host) {
		opts = append(opts, otlploghttp.WithInsecure())
	}
	exp, err := otlploghttp.New(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("--otlp %s: %w", addr, err)
	}
	p := sdklog.NewLoggerProvider(sdklog.WithResource(res),
		sdklog.WithProcessor(sdklog.NewBatchProcessor(exp, sdklog.WithExportInterval(otlpInterval))))
	return &chainLog{provider: p, sent: map[string]event.Severity{},
		logger: p.Logger("ingero.dev/ingero-trace", otellog.WithInstrumentationVersion(cli.Version()))}, nil
}

// emit sends the chains that are new or more severe than last sent.
func (l *chainLog) emit(cs []event.Chain) {
	for i := range cs {
		c := &cs[i]
		if prev, ok := l.sent[c.ID]; ok && prev >= c.Severity {
			continue
		}
		l.sent[c.ID] = c.Severity
		var r otellog.Record
		r.SetEventName("ingero.chain")
		r.SetTimestamp(time.Unix(0, c.DetectedNs))
		r.SetObservedTimestamp(time.Now())
		r.SetSeverity(logSeverity(c.Severity))
		r.SetSeverityText(c.Severity.String())
		r.SetBody(attribute.StringValue(c.Summary))
		r.AddAttributes(
			attribute.String("ingero.chain.id", c.ID),
			attribute.String("ingero.chain.rule", c.Rule),
			attribute.String("ingero.chain.op", c.Op),
			attribute.Int64("process.pid", int64(c.PID)),
			attribute.String("ingero.chain.root_cause", c.RootCause),
			attribute.String("ingero.chain.fix", c.Fix),
			attribute.String("ingero.node", c.Node),
		)
		l.logger.Emit(context.Background(), r)
	}
}

// logSeverity places chain severities on OpenTelemetry's scale: a HIGH
// chain is an error of the workload's, not of trace.
func logSeverity(s event.Severity) otellog.Severity {
	switch s {
	case event.SeverityHigh:
		return otellog.SeverityError
	case event.SeverityMedium:
		return otellog.SeverityWarn
	}
	return otellog.SeverityInfo
}

// shutdown flushes the records not yet sent.
func (l *chainLog) shutdown(ctx context.Context, warn io.Writer) {
	if err := l.provider.Shutdown(ctx); err != nil {
		fmt.Fprintf(warn, "warning: the last OTLP chain records: %v\n", err)
	}
}
