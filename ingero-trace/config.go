package trace

import (
	"flag"
	"os"
	"strconv"
	"strings"
	"time"

	"ingero.dev/common/cli"
	"ingero.dev/common/timerange"
)

// config holds every flag of `ingero trace`; one is built per command, so
// the multiplexer and tests never share flag state.
type config struct {
	pids          pidList
	user          string
	cudaLibs      stringList
	record        bool
	db            string
	maxDB         int64
	stream        string
	json          bool
	verbose       bool
	duration      time.Duration
	deadband      float64
	heartbeat     time.Duration
	node          string
	ringbufSize   int64
	samplingRate  int
	launchLatency bool
	statusFD      int
	stacks        stackFlags
	export        exportFlags
	annotate      annotateFlags
}

const defaultMaxDB = 10 << 30

func (c *config) register(fs *flag.FlagSet) {
	fs.Var(&c.pids, "pid", "trace only these processes, comma-separated (e.g. 4821,5032)")
	fs.StringVar(&c.user, "user", "", "trace the CUDA processes of this user (default: the user who ran sudo)")
	fs.Var(&c.cudaLibs, "cuda-lib", "probe this libcudart/libcuda file instead of discovering them (repeatable)")
	fs.BoolVar(&c.record, "record", true, "record events to the SQLite database")
	cli.DBFlag(fs, &c.db)
	timerange.SizeVar(fs, &c.maxDB, "max-db", defaultMaxDB, "prune the oldest events to keep the database under this size (0 = unlimited)")
	fs.StringVar(&c.stream, "stream", "", "also write the zstd-framed event stream to this file ('-' = stdout)")
	fs.BoolVar(&c.json, "json", false, "write every event as NDJSON to stdout")
	fs.BoolVar(&c.verbose, "verbose", false, "print every event as it arrives")
	timerange.DurationVar(fs, &c.duration, "duration", 0, "stop after this long (e.g. 60s; default: until Ctrl-C)")
	fs.Float64Var(&c.deadband, "deadband", 0, "skip system snapshots when no metric moved more than this many percentage points")
	timerange.DurationVar(fs, &c.heartbeat, "heartbeat", 0, "with --deadband, still record a snapshot at least this often")
	fs.StringVar(&c.node, "node", "", "node name to tag events with (default: the hostname)")
	timerange.SizeVar(fs, &c.ringbufSize, "ringbuf-size", 0, "ring buffer size of the cuda/driver/host/io probes (power of two, at least 4096; e.g. 32m)")
	fs.IntVar(&c.samplingRate, "sampling-rate", 1, "1 = every event, N = 1 in N, 0 = adaptive under sustained drops (cuda/driver/graph only)")
	fs.BoolVar(&c.launchLatency, "launch-latency", false, "also time kernel launches (adds a return probe per launch; cost in docs/benchmarks.md)")
	c.export.register(fs)
	c.stacks.register(fs)
	c.annotate.register(fs)
	fs.IntVar(&c.statusFD, "status-fd", 0, "write NDJSON status lines (attached, pid, stats, stopped; docs/cli.md) to this open file `descriptor` (0 = off)")
}

// validate checks what the flag types alone cannot; every failure is a
// usage error (exit 2).
func (c *config) validate() error {
	if err := c.stacks.validate(); err != nil {
		return err
	}
	if err := c.export.validate(); err != nil {
		return err
	}
	if err := c.annotate.validate(); err != nil {
		return err
	}
	if c.statusFD < 0 {
		return cli.Usagef("--status-fd %d: give an open file descriptor, such as 3 (with 3>status.ndjson), or 0 for none", c.statusFD)
	}
	if c.ringbufSize != 0 && (c.ringbufSize < 4096 || c.ringbufSize&(c.ringbufSize-1) != 0) {
		return cli.Usagef("--ringbuf-size %s: must be a power of two of at least 4096 bytes (e.g. 4096, 1m, 32m)", timerange.FormatSize(c.ringbufSize))
	}
	if c.ringbufSize > 1<<30 {
		return cli.Usagef("--ringbuf-size %s: at most 1g", timerange.FormatSize(c.ringbufSize))
	}
	if c.samplingRate < 0 {
		return cli.Usagef("--sampling-rate %d: use 1 (all events), N > 1 (1 in N) or 0 (adaptive)", c.samplingRate)
	}
	if c.maxDB < 0 {
		return cli.Usagef("--max-db must not be negative")
	}
	if c.deadband < 0 || c.deadband >= 100 {
		return cli.Usagef("--deadband %g: must be between 0 and 100 percentage points", c.deadband)
	}
	if c.heartbeat < 0 || c.duration < 0 {
		return cli.Usagef("--heartbeat and --duration must not be negative")
	}
	if c.heartbeat > 0 && c.deadband == 0 {
		return cli.Usagef("--heartbeat only applies with --deadband (every snapshot is recorded without it)")
	}
	if c.user != "" && len(c.pids) > 0 {
		return cli.Usagef("--pid and --user select targets in two ways: give one of them")
	}
	if c.user != "" {
		if err := knownUser(c.user); err != nil {
			return cli.Usagef("--user %s: %v", c.user, err)
		}
	}
	if c.json && c.stream == "-" {
		return cli.Usagef("--json and --stream - both write to stdout: send the stream to a file")
	}
	if c.json && c.verbose {
		return cli.Usagef("--verbose prints events for people; --json already writes every event")
	}
	for _, p := range c.cudaLibs {
		if _, err := os.Stat(p); err != nil {
			return cli.Usagef("--cuda-lib %s: %v", p, err)
		}
	}
	return nil
}

// flagSummary records how trace ran, for the session row.
func (c *config) flagSummary(fs *flag.FlagSet) map[string]string {
	out := map[string]string{}
	fs.Visit(func(f *flag.Flag) { out[f.Name] = f.Value.String() })
	return out
}

// pidList is a comma-separated --pid value; repeating the flag adds more.
type pidList []uint32

func (p *pidList) String() string {
	s := make([]string, len(*p))
	for i, v := range *p {
		s[i] = strconv.FormatUint(uint64(v), 10)
	}
	return strings.Join(s, ",")
}

func (p *pidList) Set(v string) error {
	pids, err := cli.ParsePIDs(v)
	if err != nil {
		return err
	}
	*p = append(*p, pids...)
	return nil
}

// stringList collects a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }
