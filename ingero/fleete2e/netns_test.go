package fleete2e

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ingero.dev/common/testenv"
)

// netnsHost is a dashboard in its own network namespace, reached over a
// veth pair at a real (non-loopback) address, as a GPU node across the
// network would be.
type netnsHost struct {
	name, addr string
}

// TestMultiHostNetns runs the built ingero binary's dashboard in two
// network namespaces at 10.211.N.2 and asks them from this namespace:
// TLS against a CA that signed certificates for those IPs, the token,
// and the refusal of plain HTTP to them without --insecure.
func TestMultiHostNetns(t *testing.T) {
	testenv.RequireRoot(t, "network namespaces and veth pairs need root")
	if _, err := exec.LookPath("ip"); err != nil {
		testenv.Unavailable(t, "the ip tool (iproute2) is not installed")
	}
	if testing.Short() {
		t.Skip("builds the ingero binary; skipped with -short")
	}
	bin := filepath.Join(t.TempDir(), "ingero")
	build := exec.Command("go", "build", "-o", bin, "ingero.dev/ingero")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	p := newPKI(t)
	recs := []*recording{newRecording("gpu-east", 10*time.Second, 8_000_000, false), newRecording("gpu-west", 6*time.Second, 40_000_000, true)}
	var hosts []netnsHost
	for i, rec := range recs {
		hosts = append(hosts, startNetnsDashboard(t, bin, p, i+1, rec.write(t)))
	}
	nodes := hosts[0].addr + "," + hosts[1].addr
	r := runQuery(t, append([]string{"--nodes", nodes}, append(p.clientArgs(), "--json", "SELECT node AS recorded, count(*) AS n FROM events")...)...)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	rows := jsonRows(t, r.out)
	if len(rows) != 2 {
		t.Fatalf("rows %v, want one per host", rows)
	}
	for i, row := range rows {
		if row["node"] != hosts[i].addr || row["recorded"] != recs[i].node || row["n"].(fmt.Stringer).String() != itoa(len(recs[i].events)) {
			t.Errorf("row %v, want %s with %s's %d events", row, hosts[i].addr, recs[i].node, len(recs[i].events))
		}
	}
	ex := runExplain(t, append([]string{"--nodes", nodes, "--since", "1h"}, p.clientArgs()...)...)
	if ex.code != 0 || !strings.Contains(ex.out, "Seen on 2 nodes") || !strings.Contains(ex.out, hosts[1].addr+" (gpu-west): cudaStreamSynchronize") {
		t.Errorf("explain across hosts: exit %d\n%s\n%s", ex.code, ex.out, ex.err)
	}
	plain := runQuery(t, "--nodes", "http://"+hosts[0].addr, "SELECT 1")
	expectFailure(t, plain, 2, "not loopback", "--insecure")
}

// startNetnsDashboard makes namespace i with a veth pair
// 10.211.i.1 (here) ↔ 10.211.i.2 (there) and starts the dashboard there
// on port 8443 with a certificate for that address.
func startNetnsDashboard(t *testing.T, bin string, p *pki, i int, db string) netnsHost {
	t.Helper()
	ns := fmt.Sprintf("ingero-fleet-%d-%d", os.Getpid(), i)
	here, there := fmt.Sprintf("ifl%da%d", os.Getpid()%100000, i), fmt.Sprintf("ifl%db%d", os.Getpid()%100000, i)
	hostIP, nodeIP := fmt.Sprintf("10.211.%d.1", i), fmt.Sprintf("10.211.%d.2", i)
	ip := func(args ...string) {
		t.Helper()
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	ip("netns", "add", ns)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() }) // takes the veth pair with it
	ip("link", "add", here, "type", "veth", "peer", "name", there)
	ip("link", "set", there, "netns", ns)
	ip("addr", "add", hostIP+"/30", "dev", here)
	ip("link", "set", here, "up")
	ip("-n", ns, "addr", "add", nodeIP+"/30", "dev", there)
	ip("-n", ns, "link", "set", there, "up")
	ip("-n", ns, "link", "set", "lo", "up")

	cert, key := p.ca.Issue(t, ns, false, nodeIP)
	addr := nodeIP + ":8443"
	cmd := exec.Command("ip", "netns", "exec", ns, bin, "dashboard", "-d", db, "--addr", addr,
		"--tls-cert", cert, "--tls-key", key, "--token-file", p.tokenFile)
	stdout, err := cmd.StdoutPipe()
	must(t, err)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	must(t, cmd.Start())
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	banner := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "open https://"+addr+"/") {
				banner <- true
			}
		}
		close(banner)
	}()
	select {
	case ok := <-banner:
		if !ok {
			t.Fatalf("dashboard in %s exited: %s", ns, stderr.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("dashboard in %s printed no banner: %s", ns, stderr.String())
	}
	return netnsHost{name: ns, addr: addr}
}
