package dashboard

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"ingero.dev/common/event"
	"ingero.dev/common/hist"
	"ingero.dev/common/store"
)

var updateScreenshot = flag.Bool("update-screenshot", false, "rewrite docs/dashboard.png from the browser test")

// chromium finds Debian's chromium (make deps installs it), skipping the
// browser tests without it, or failing under INGERO_E2E=1.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	const why = "no chromium on $PATH: run 'make deps' (apt-get install chromium) to run the browser test"
	if os.Getenv("INGERO_E2E") == "1" {
		t.Fatal("INGERO_E2E=1 but " + why)
	}
	t.Skip(why + " (INGERO_E2E=1 makes this a failure)")
	return ""
}

// spki is the base64 SHA-256 of the server key, which chromium's
// --ignore-certificate-errors-spki-list trusts and nothing else.
func spki(t *testing.T, ts *testServer) string {
	t.Helper()
	c, err := tls.Dial("tcp", strings.TrimSuffix(strings.TrimPrefix(ts.url, "https://"), "/"), ts.tlsConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sum := sha256.Sum256(c.ConnectionState().PeerCertificates[0].RawSubjectPublicKeyInfo)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// browser starts a headless chromium at 1280×800 that collects every
// console message, uncaught exception and browser-logged error.
func browser(t *testing.T, exe, trustSPKI string) (context.Context, func() []string) {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.WindowSize(1280, 800),
		chromedp.Flag("ignore-certificate-errors-spki-list", trustSPKI),
		chromedp.Flag("lang", "en-US"),
		chromedp.UserDataDir(t.TempDir()),
	)
	if os.Geteuid() == 0 {
		// Chromium refuses to run as root with its sandbox; CI runs as root.
		opts = append(opts, chromedp.NoSandbox)
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	var mu sync.Mutex
	var problems []string
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			switch m.Type {
			case chromedp.ConsoleError, chromedp.ConsoleWarning, chromedp.ConsoleException, "assert":
				mu.Lock()
				problems = append(problems, fmt.Sprintf("%s: %s", m.Type, m.Text))
				mu.Unlock()
			}
		}
	}()
	return ctx, func() []string { mu.Lock(); defer mu.Unlock(); return append([]string(nil), problems...) }
}

// expected is what the page must show for the fixture's last five
// minutes, computed from the database on its own.
type expected struct {
	events int64
	calls  map[string]int64
	p99    map[string]int64
	chains []event.Chain
	cpu    float64
}

func expect(t *testing.T, path string, fromNs, toNs int64) expected {
	t.Helper()
	r, err := store.OpenReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ctx := context.Background()
	f := store.Filter{FromNs: fromNs, ToNs: toNs}
	rows, err := r.OpSummary(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	e := expected{calls: map[string]int64{}, p99: map[string]int64{}}
	for _, s := range store.ByOp(rows) {
		e.events += s.Count
		e.calls[s.Name] = s.Count
	}
	hs := map[string]*hist.Histogram{}
	must(t, r.Events(ctx, f, func(ev *event.Event) error {
		name := event.OpName(ev.Source, ev.Op)
		if hs[name] == nil {
			hs[name] = &hist.Histogram{}
		}
		hs[name].Record(ev.DurNs)
		return nil
	}))
	for name, h := range hs {
		e.p99[name] = h.Quantile(0.99)
	}
	if e.chains, err = r.Chains(fromNs, toNs); err != nil {
		t.Fatal(err)
	}
	snaps, err := r.Snapshots(fromNs, toNs)
	if err != nil {
		t.Fatal(err)
	}
	e.cpu = snaps[len(snaps)-1].CPUPct
	return e
}

// TestBrowser loads the page in chromium over HTTPS, with a token handed
// over in the URL fragment, and checks that what it draws matches the
// database: the event count, every op's calls and p99, the chains with
// their timeline and fix, the latest CPU reading and the charts. No
// console error may appear. It saves a screenshot.
func TestBrowser(t *testing.T) {
	exe := chromium(t)
	path := fixtureDB(t)
	t.Setenv(TokenEnv, "browser-token")
	ts := startServer(t, "-d", path)
	ctx, problems := browser(t, exe, spki(t, ts))
	p := &page{t: t, ctx: ctx, problems: problems}

	want := expect(t, path, at(0), at(fixtureSpan))
	p.do(chromedp.Navigate(ts.url+"#token=browser-token"), waitReady(2))
	if hash := eval[string](p, `location.hash`); hash != "" {
		t.Errorf("the token stayed in the address bar: %q", hash)
	}
	if got := p.text("#kpi-events"); got != hist.FormatCount(want.events) {
		t.Errorf("events tile %q, want %q", got, hist.FormatCount(want.events))
	}
	if got, wantCPU := p.text("#kpi-cpu"), fmt.Sprintf("%.1f%%", want.cpu); got != wantCPU {
		t.Errorf("CPU tile %q, want %q", got, wantCPU)
	}
	counts := map[string]int{
		"op rows":           eval[int](p, `document.querySelectorAll('#ops tbody tr').length`),
		"process rows":      eval[int](p, `document.querySelectorAll('#processes tr.proc').length`),
		"rate series":       eval[int](p, `+document.querySelector('#chart-rate svg').dataset.series`),
		"latency points":    eval[int](p, `+document.querySelector('#chart-latency svg').dataset.points`),
		"system points":     eval[int](p, `+document.querySelector('#chart-system svg').dataset.points`),
		"greyed-out panels": eval[int](p, `document.querySelectorAll('.cap.not-collected').length`),
	}
	for what, min := range map[string]int{"op rows": len(want.calls), "process rows": 2, "rate series": 4,
		"latency points": 50, "system points": 3 * 61, "greyed-out panels": 5} {
		if counts[what] < min {
			t.Errorf("%s: %d, want at least %d", what, counts[what], min)
		}
	}
	if counts["op rows"] != len(want.calls) {
		t.Errorf("%d op rows, want %d", counts["op rows"], len(want.calls))
	}
	for op, n := range want.calls {
		sel := fmt.Sprintf(`#ops tr[data-op=%q]`, op)
		calls, p99 := p.text(sel+` td[data-k=calls]`), p.text(sel+` td[data-k=p99]`)
		wantP99 := hist.FormatNs(want.p99[op])
		if want.p99[op] == 0 { // entry-only launches: no latency to show, never "0ns"
			wantP99 = "not recorded"
		}
		if calls != hist.FormatCount(n) || p99 != wantP99 {
			t.Errorf("%s: calls %q p99 %q, want %q and %q", op, calls, p99, hist.FormatCount(n), wantP99)
		}
	}
	checkChains(p, want.chains)
	checkRangeAndSQL(p, path)
	if pr := problems(); len(pr) > 0 {
		t.Errorf("console problems:\n%s", strings.Join(pr, "\n"))
	}
	screenshot(p)

	// A tab opened without the fragment asks for the token, refuses a
	// wrong one and loads with the right one.
	ctx2, problems2 := browser(t, exe, spki(t, ts))
	q := &page{t: t, ctx: ctx2, problems: problems2}
	q.do(chromedp.Navigate(ts.url), chromedp.WaitVisible(`#login-token`))
	q.do(chromedp.SendKeys(`#login-token`, "wrong"), chromedp.Click(`#login-form button`))
	q.do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Poll[bool](`document.querySelector('#login-error').textContent.includes('refused')`)(ctx, tg)
		return err
	}))
	q.do(chromedp.SetValue(`#login-token`, "browser-token"), chromedp.Click(`#login-form button`), waitReady(1))
	if got := q.text("#kpi-events"); got != hist.FormatCount(want.events) {
		t.Errorf("after the login form: events tile %q, want %q", got, hist.FormatCount(want.events))
	}
	// The refused token's 401 is the one error this tab may log.
	for _, m := range problems2() {
		if !strings.Contains(m, "401") {
			t.Errorf("console problem in the login tab: %s", m)
		}
	}
}

// page runs actions in the test's tab, failing the test on an error.
type page struct {
	t        *testing.T
	ctx      context.Context
	problems func() []string
}

func (p *page) do(steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, steps...); err != nil {
		p.t.Fatalf("browser: %v (console: %q)", err, p.problems())
	}
}

func run[T any](p *page, a chromedp.Action[T]) T {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, a)
	if err != nil {
		p.t.Fatalf("browser: %v (console: %q)", err, p.problems())
	}
	return v
}

func eval[T any](p *page, js string) T { p.t.Helper(); return run(p, chromedp.Evaluate[T](js)) }

func (p *page) text(sel string) string { p.t.Helper(); return run(p, chromedp.Text(sel)) }

// checkChains wants the chains most severe first, and the first one's
// root cause, fix and timeline once it is opened.
func checkChains(p *page, chains []event.Chain) {
	p.t.Helper()
	summaries := eval[[]string](p, `[...document.querySelectorAll('#chains .chain .sum')].map(e => e.textContent)`)
	want := []string{chains[0].Summary, chains[1].Summary, chains[2].Summary} // HIGH, MEDIUM, LOW in the fixture
	if strings.Join(summaries, "|") != strings.Join(want, "|") {
		p.t.Errorf("chains %q, want %q", summaries, want)
	}
	p.do(chromedp.Click(`#chains details.chain summary`), chromedp.WaitVisible(`#chains details.chain[open] .fix`))
	root, fix := p.text(`#chains details.chain[open] .root`), p.text(`#chains details.chain[open] .fix`)
	steps := eval[int](p, `document.querySelectorAll('#chains details.chain[open] .timeline tr').length`)
	if root != chains[0].RootCause || fix != chains[0].Fix || steps != len(chains[0].Timeline) {
		p.t.Errorf("opened chain: root cause %q, fix %q, %d steps; want %q, %q, %d", root, fix, steps, chains[0].RootCause, chains[0].Fix, len(chains[0].Timeline))
	}
}

// checkRangeAndSQL picks the 1m range, which must show that minute's
// events, then runs the SQL panel's statement; it ends back on 5m with
// the top chain open, as the screenshot shows it.
func checkRangeAndSQL(p *page, path string) {
	p.t.Helper()
	lastMinute := expect(p.t, path, at(fixtureSpan-time.Minute), at(fixtureSpan))
	wantText := hist.FormatCount(lastMinute.events)
	p.do(chromedp.Click(`.range button[data-since="1m"]`))
	if _, err := chromedp.Run(p.ctx, chromedp.Poll[bool](fmt.Sprintf(`document.querySelector('#kpi-events').textContent === %q`, wantText),
		chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		p.t.Errorf("1m range: events tile %q, want %q", p.text("#kpi-events"), wantText)
	}
	p.do(chromedp.Click(`#sql-form button`), chromedp.WaitVisible(`#sql-out table, #sql-out .err`))
	if msg := eval[string](p, `(document.querySelector('#sql-out .err') || {}).textContent || ''`); msg != "" {
		p.t.Errorf("SQL panel: %s", msg)
	}
	// The panel's statement counts the events of each op: one row per op.
	if rows, ops := eval[int](p, `document.querySelectorAll('#sql-out tbody tr').length`), len(expect(p.t, path, 0, 0).calls); rows != ops {
		p.t.Errorf("SQL panel: %d rows, want one per op recorded (%d)", rows, ops)
	}
	p.do(chromedp.Click(`.range button[data-since="5m"]`), waitReady(1))
}

// waitReady waits for n more completed refreshes of every panel.
func waitReady(n int) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		now, err := chromedp.Evaluate[int](`+(document.body.dataset.ready || 0)`)(ctx, t)
		if err != nil {
			return err
		}
		_, err = chromedp.Poll[bool](fmt.Sprintf(`+(document.body.dataset.ready || 0) >= %d`, now+n),
			chromedp.WithPollingTimeout(20*time.Second))(ctx, t)
		return err
	})
}

func screenshot(p *page) {
	p.t.Helper()
	eval[bool](p, `window.scrollTo(0, 0), true`)
	png := run(p, chromedp.FullScreenshot(100))
	out := filepath.Join(p.t.ArtifactDir(), "dashboard.png")
	must(p.t, os.WriteFile(out, png, 0o644))
	p.t.Logf("screenshot: %s", out)
	if *updateScreenshot {
		must(p.t, os.WriteFile(filepath.Join("..", "docs", "dashboard.png"), png, 0o644))
	}
}

// TestBrowserEmptyRecording: the page over a recording trace has just
// started draws every panel without a script error, saying what is
// missing instead of drawing zeros.
func TestBrowserEmptyRecording(t *testing.T) {
	exe := chromium(t)
	path := filepath.Join(t.TempDir(), "empty.db")
	w, err := store.OpenWriter(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	must(t, w.BeginSession(event.Session{ID: "n:1", Node: "n", Host: "n", StartNs: time.Now().UnixNano(), Flags: map[string]string{}, PIDFilter: []uint32{}}))
	must(t, w.Flush())
	defer w.Close()
	ts := startServer(t, "-d", path)
	ctx, problems := browser(t, exe, spki(t, ts))
	p := &page{t: t, ctx: ctx, problems: problems}
	p.do(chromedp.Navigate(ts.url), waitReady(2))
	if got := p.text("#kpi-events"); got != "0" {
		t.Errorf("events tile %q, want 0", got)
	}
	for _, sel := range []string{"#chart-rate", "#chart-latency", "#chart-system", "#chains", "#processes", "#ops", "#graph"} {
		if txt := p.text(sel); !strings.Contains(strings.ToLower(txt), "no ") {
			t.Errorf("%s of an empty recording reads %q, want it to say what is missing", sel, txt)
		}
	}
	if pr := problems(); len(pr) > 0 {
		t.Errorf("console problems:\n%s", strings.Join(pr, "\n"))
	}
}
