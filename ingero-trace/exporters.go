package trace

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"time"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	"ingero.dev/common/cli"
	"ingero.dev/common/event"
	"ingero.dev/common/gpu"
	"ingero.dev/common/timerange"
)

// exportFlags are trace's live exporters (docs/metrics.md).
type exportFlags struct {
	prometheus string
	otlp       string
	throttle   time.Duration
}

func (x *exportFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&x.prometheus, "prometheus", "", "serve Prometheus /metrics on `ADDR` (loopback only, e.g. 127.0.0.1:9464; docs/metrics.md)")
	fs.StringVar(&x.otlp, "otlp", "", "push the same metrics, and causal chains as log records, over OTLP/HTTP to `HOST:PORT` every 10s (plain HTTP to loopback, HTTPS elsewhere)")
	timerange.DurationVar(fs, &x.throttle, "throttle-poll-interval", 5*time.Second, "poll NVML clock-throttle reasons this often for the exporters' gpu_throttle_* gauges (0 = off)")
}

func (x *exportFlags) validate() error {
	if x.prometheus != "" {
		if err := checkPromAddr(x.prometheus); err != nil {
			return err
		}
	}
	if x.otlp != "" {
		if err := checkOTLPAddr(x.otlp); err != nil {
			return err
		}
	}
	if x.throttle < 0 {
		return cli.Usagef("--throttle-poll-interval %s: must not be negative (0 turns polling off)", x.throttle)
	}
	return nil
}

func (x *exportFlags) enabled() bool { return x.prometheus != "" || x.otlp != "" }

// exporters runs what exportFlags asked for; a nil *exporters is off.
type exporters struct {
	m        *meter
	cancel   context.CancelFunc
	promDone <-chan error
	otlp     *sdkmetric.MeterProvider
	chainLog *chainLog     // with --otlp
	throttle chan struct{} // closed when the throttle poller has stopped
	warn     io.Writer
}

// startExporters starts /metrics and the OTLP pusher before any event
// flows, so a port already taken fails the run before anything is
// recorded, and the first scrape already counts every event.
func startExporters(x *exportFlags, start time.Time, launchLatency bool, sess event.Session, gpus *gpu.Sampler, warn io.Writer) (*exporters, error) {
	if !x.enabled() {
		return nil, nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	e := &exporters{m: newMeter(start, launchLatency), cancel: cancel, warn: warn}
	if x.prometheus != "" {
		done, err := servePrometheus(ctx, x.prometheus, e.m, sess.Node, warn, func(a net.Addr) {
			fmt.Fprintf(warn, "ingero trace: Prometheus metrics on http://%s/metrics\n", a)
		})
		if err != nil {
			cancel()
			return nil, err
		}
		e.promDone = done
	}
	if x.otlp != "" {
		count := 0
		if gpus != nil {
			count = gpus.Count()
		}
		res, err := otlpResource(sess.Node, sess.GPUModel, sess.GPUDriver, count)
		if err != nil {
			e.stop()
			return nil, fmt.Errorf("describing this node for OTLP: %w", err)
		}
		mp, err := startOTLP(ctx, x.otlp, e.m, res, otlpInterval, warn)
		if err != nil {
			e.stop()
			return nil, err
		}
		e.otlp = mp
		if e.chainLog, err = startChainLog(ctx, x.otlp, res); err != nil {
			e.stop()
			return nil, err
		}
		fmt.Fprintf(warn, "ingero trace: pushing OTLP metrics to %s every %s\n", x.otlp, otlpInterval)
	}
	if x.throttle > 0 && gpus != nil {
		e.throttle = make(chan struct{})
		go e.pollThrottle(ctx, gpus, x.throttle)
	}
	return e, nil
}

// pollThrottle reads the throttle reasons now and then every interval;
// a host without NVML never gets here, and its gauges are simply absent.
func (e *exporters) pollThrottle(ctx context.Context, gpus *gpu.Sampler, every time.Duration) {
	defer close(e.throttle)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		e.m.setThrottle(gpus.Throttle())
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// chains hands the live analysis's chains to the gauges and, with
// --otlp, to the chain log.
func (e *exporters) chains(cs []event.Chain) {
	if e == nil {
		return
	}
	e.m.setChains(cs)
	if e.chainLog != nil {
		e.chainLog.emit(cs)
	}
}

// meter is nil when no exporter runs, which the pipeline checks.
func (e *exporters) meter() *meter {
	if e == nil {
		return nil
	}
	return e.m
}

// stop pushes the last OTLP numbers and closes /metrics. A failed final
// push is a warning: the recording is intact either way.
func (e *exporters) stop() {
	if e == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if e.otlp != nil {
		if err := e.otlp.Shutdown(ctx); err != nil {
			fmt.Fprintf(e.warn, "warning: the last OTLP push: %v\n", err)
		}
	}
	if e.chainLog != nil {
		e.chainLog.shutdown(ctx, e.warn)
	}
	e.cancel()
	if e.throttle != nil {
		<-e.throttle
	}
	if e.promDone != nil {
		if err := <-e.promDone; err != nil {
			fmt.Fprintf(e.warn, "warning: %v\n", err)
		}
	}
}
