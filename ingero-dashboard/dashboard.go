// Package dashboard builds the `ingero dashboard` command: a live page
// over a recording (system metrics, CUDA op latencies and rates, causal
// chains, the per-process breakdown and what the recording can and cannot
// show) and the JSON API behind it, served over TLS 1.3 on loopback by
// default. It only reads the recording, also while trace writes it.
package dashboard

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/peterbourgon/ff/v3/ffcli"

	"ingero.dev/common/cli"
	"ingero.dev/common/httpsec"
	"ingero.dev/common/timerange"
)

// TokenEnv names the environment variable that may hold the token.
const TokenEnv = "INGERO_DASHBOARD_TOKEN"

type config struct {
	stdio      cli.Stdio
	db         string
	addr       string
	tlsCert    string
	tlsKey     string
	clientCA   string
	noTLS      bool
	allowHosts hostList
	tokenFile  string
	maxBody    int64
	queryTime  time.Duration
	queryRows  int

	now func() time.Time
}

// New builds the command.
func New(stdio cli.Stdio) *ffcli.Command {
	return newCommand(&config{stdio: stdio, now: time.Now})
}

func newCommand(c *config) *ffcli.Command {
	fs := flag.NewFlagSet("dashboard", flag.ContinueOnError)
	cli.DBFlag(fs, &c.db)
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8080", "listen on `HOST:PORT` (port 0 picks a free one); off loopback, set a token")
	fs.StringVar(&c.tlsCert, "tls-cert", "", "serve this certificate (`PEM` file) instead of a self-signed one; needs --tls-key")
	fs.StringVar(&c.tlsKey, "tls-key", "", "private key of --tls-cert (`PEM` file, readable by its owner only)")
	fs.StringVar(&c.clientCA, "client-ca", "", "mTLS: require a client certificate signed by the CA in `FILE` (PEM)")
	fs.BoolVar(&c.noTLS, "no-tls", false, "serve plain HTTP; allowed on loopback addresses only")
	fs.Var(&c.allowHosts, "allow-host", "also answer requests for this Host `NAME` (repeatable; loopback names always work)")
	fs.StringVar(&c.tokenFile, "token-file", "", "require the bearer token in `FILE` (mode 600) on the API; or set $"+TokenEnv)
	timerange.SizeVar(fs, &c.maxBody, "max-body", httpsec.DefaultMaxBody, "largest request body accepted, such as a POSTed SQL statement (`SIZE`)")
	timerange.DurationVar(fs, &c.queryTime, "query-timeout", 10*time.Second, "stop a POSTed SQL statement after `DURATION`")
	fs.IntVar(&c.queryRows, "query-max-rows", 10000, "most rows a POSTed SQL statement returns (`N`; a request may ask for fewer)")
	return &ffcli.Command{
		Name:       "dashboard",
		ShortUsage: "ingero dashboard [flags]",
		ShortHelp:  "Serve a live browser dashboard and JSON API over a recording",
		LongHelp: "Serves a page (system metrics, CUDA op latency and rate charts, causal chains,\n" +
			"per-process breakdown, capability manifest; refreshed every 2 s) and the JSON\n" +
			"API behind it (docs/api.md) over HTTPS, TLS 1.3 only, with a self-signed\n" +
			"certificate unless --tls-cert/--tls-key. The recording (-d) may be a database\n" +
			"that trace is still writing, or a stream file. It is only read.\n\n" +
			"From another machine, tunnel rather than open the port:\n" +
			"  ssh -L 8080:localhost:8080 user@gpu-node   then open https://localhost:8080/",
		FlagSet: fs,
		Exec:    c.exec,
	}
}

func (c *config) exec(ctx context.Context, args []string) error {
	if len(args) > 0 {
		return cli.Usagef("unexpected argument %q: the recording goes in -d FILE", args[0])
	}
	if err := c.check(); err != nil {
		return err
	}
	token, tokenFrom, err := c.token()
	if err != nil {
		return err
	}
	src, err := openSource(c.db)
	if err != nil {
		return err
	}
	defer src.close()
	for _, w := range src.warnings() {
		fmt.Fprintf(c.stdio.Err, "ingero dashboard: warning: %s\n", w)
	}
	srv := &server{
		api: newAPI(src, c.now), token: token, tokenFrom: tokenFrom, allowHosts: c.allowedHosts(),
		maxBody: c.maxBody, queryLimits: c.queryLimits(), out: c.stdio.Out, errOut: c.stdio.Err,
	}
	if !c.noTLS {
		cert, err := httpsec.LoadOrGenerate(c.tlsCert, c.tlsKey, srv.allowHosts)
		if err != nil {
			return err
		}
		srv.cert = cert
		if srv.clientCAs, err = loadClientCA(c.clientCA); err != nil {
			return err
		}
	}
	return srv.run(ctx, c.addr)
}

// check refuses flag combinations before anything is opened.
func (c *config) check() error {
	if c.noTLS {
		if c.tlsCert != "" || c.tlsKey != "" || c.clientCA != "" {
			return cli.Usagef("--no-tls and --tls-cert/--tls-key/--client-ca contradict each other: drop one")
		}
		if err := httpsec.CheckPlaintext("--addr", c.addr); err != nil {
			return &cli.UsageError{Err: err}
		}
	}
	if c.maxBody <= 0 {
		return cli.Usagef("--max-body must be above 0")
	}
	if c.queryRows <= 0 {
		return cli.Usagef("--query-max-rows must be above 0")
	}
	return nil
}

// token reads the bearer token from --token-file or the environment,
// never from argv, where every user of the host can read it.
func (c *config) token() (tok, from string, err error) {
	env := httpsec.TokenFromEnv(TokenEnv)
	switch {
	case c.tokenFile != "" && env != "":
		return "", "", cli.Usagef("both --token-file and $%s are set: use one", TokenEnv)
	case c.tokenFile != "":
		tok, err := httpsec.TokenFromFile(c.tokenFile)
		return tok, c.tokenFile, err
	case env != "":
		return env, "$" + TokenEnv, nil
	}
	return "", "", nil
}

// allowedHosts adds the address's own IP to --allow-host: a rebinding
// attack needs a name, so the bound IP literal is safe to answer.
func (c *config) allowedHosts() []string {
	return append(httpsec.ListenHosts(c.addr), c.allowHosts...)
}

// hostList is a repeatable, comma-separable flag.
type hostList []string

func (h *hostList) String() string { return strings.Join(*h, ",") }

func (h *hostList) Set(v string) error {
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*h = append(*h, p)
		}
	}
	return nil
}
