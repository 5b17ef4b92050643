package fleet

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"ingero.dev/common/cli"
	"ingero.dev/common/httpsec"
	"ingero.dev/common/timerange"
)

// TokenEnv carries the bearer token the nodes' dashboards want; there is
// no flag with the token itself, since argv is readable by every user.
const TokenEnv = "INGERO_FLEET_TOKEN"

// DefaultSkewThreshold is the default of --clock-skew-threshold for a
// live fan-out, as the spec gives it: tighter than ingero merge's 100 ms,
// since the estimate is live and SkewWarnings allows for the round trip.
const DefaultSkewThreshold = 10 * time.Millisecond

// Flags are the fan-out flags query, explain and export share.
type Flags struct {
	nodes, caCert, clientCert, clientKey, tokenFile string
	insecure                                        bool
	timeout                                         time.Duration
	maxResponse                                     int64
	SkewThreshold                                   time.Duration
	fs                                              *flag.FlagSet
}

// Register adds the flags to fs.
func (f *Flags) Register(fs *flag.FlagSet) {
	f.fs = fs
	fs.StringVar(&f.nodes, "nodes", "", "fan out to these dashboards: `HOST:PORT[,…]` (https; http://HOST:PORT for a loopback --no-tls one); default fleet.nodes of ingero.yaml")
	fs.StringVar(&f.caCert, "ca-cert", "", "trust the dashboards' certificates signed by the CA in `FILE` (PEM)")
	fs.StringVar(&f.clientCert, "client-cert", "", "present this client certificate `FILE` (PEM) for mTLS")
	fs.StringVar(&f.clientKey, "client-key", "", "the client certificate's key `FILE` (PEM, mode 600)")
	fs.StringVar(&f.tokenFile, "token-file", "", "send the bearer token in `FILE` (mode 600) to the nodes; or set $"+TokenEnv)
	fs.BoolVar(&f.insecure, "insecure", false, "allow plain http:// nodes off loopback (recordings cross the network in the clear)")
	timerange.DurationVar(fs, &f.timeout, "node-timeout", DefaultTimeout, "give up on a node after `DURATION`")
	timerange.SizeVar(fs, &f.maxResponse, "max-response", DefaultMaxResponse, "refuse a node's answer over `SIZE`")
	timerange.DurationVar(fs, &f.SkewThreshold, "clock-skew-threshold", DefaultSkewThreshold, "warn when a node's clock differs from the others' by more than `DURATION`")
}

// Plan is what Resolve decided: the nodes and how to reach them, or
// nothing when the command reads a local recording.
type Plan struct {
	Nodes   []Node
	Options Options
	// From names the config file the nodes came from, "" for --nodes.
	From string
}

// Resolve reads the flags and ingero.yaml. Without --nodes, fleet.nodes
// applies unless the command was pointed at a local recording (-d or
// $INGERO_DB). A nil plan means "read locally".
func (f *Flags) Resolve(localSet bool) (*Plan, error) { return f.resolve(localSet, false) }

// ResolveBeside is Resolve for a command that reads its local recording
// and asks the nodes too (mcp's query_fleet): -d does not turn the
// fleet off.
func (f *Flags) ResolveBeside() (*Plan, error) { return f.resolve(false, true) }

func (f *Flags) resolve(localSet, beside bool) (*Plan, error) {
	set := map[string]bool{}
	f.fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	fc, path, err := LoadConfig(ConfigPaths())
	if err != nil {
		return nil, err
	}
	var list []string
	var from string
	switch {
	case set["nodes"]:
		if localSet {
			return nil, cli.Usagef("--nodes asks the nodes' dashboards and -d reads a local recording: give one of them")
		}
		list = strings.Split(f.nodes, ",")
	case len(fc.Nodes) > 0 && (beside || !localSet && os.Getenv("INGERO_DB") == ""):
		list, from = fc.Nodes, path
	default:
		for _, name := range []string{"ca-cert", "client-cert", "client-key", "token-file", "insecure", "node-timeout", "max-response", "clock-skew-threshold"} {
			if set[name] {
				return nil, cli.Usagef("--%s applies to fan-out only: add --nodes HOST:PORT[,…] (or fleet.nodes in ingero.yaml)", name)
			}
		}
		return nil, nil
	}
	if f.timeout <= 0 {
		return nil, cli.Usagef("--node-timeout must be above 0 (such as 10s)")
	}
	if f.maxResponse <= 0 {
		return nil, cli.Usagef("--max-response must be above 0 (such as 32m)")
	}
	if f.SkewThreshold <= 0 {
		return nil, cli.Usagef("--clock-skew-threshold must be above 0 (such as 10ms)")
	}
	nodes, err := ParseNodes(list, f.insecure)
	if err != nil {
		if from != "" {
			return nil, cli.Usagef("%s (fleet.nodes in %s)", err, from)
		}
		return nil, cli.Usagef("%s", err)
	}
	o := Options{CACert: or(f.caCert, fc.CACert), ClientCert: or(f.clientCert, fc.ClientCert), ClientKey: or(f.clientKey, fc.ClientKey),
		Insecure: f.insecure, Timeout: f.timeout, MaxResponse: f.maxResponse}
	o.Token, err = token(or(f.tokenFile, fc.TokenFile), set["token-file"])
	if err != nil {
		return nil, err
	}
	if o.ClientKey != "" {
		if err := httpsec.CheckKeyFile(o.ClientKey); err != nil {
			return nil, err
		}
	}
	return &Plan{Nodes: nodes, Options: o, From: from}, nil
}

// token reads the bearer token from the file or the environment; both at
// once is ambiguous unless the file came from the command line.
func token(file string, flagSet bool) (string, error) {
	env := httpsec.TokenFromEnv(TokenEnv)
	switch {
	case file != "" && env != "" && flagSet:
		return "", cli.Usagef("both --token-file and $%s are set: keep one", TokenEnv)
	case file != "" && (flagSet || env == ""):
		return httpsec.TokenFromFile(file)
	}
	return env, nil
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Client builds the client the plan describes.
func (p *Plan) Client() (*Client, error) {
	c, err := New(p.Nodes, p.Options)
	if err != nil {
		return nil, fmt.Errorf("fan-out: %w", err)
	}
	return c, nil
}
