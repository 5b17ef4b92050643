package trace

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"ingero.dev/bpf/standin/standintest"
	"ingero.dev/common/event"
	"ingero.dev/common/store"
	"ingero.dev/common/testenv"
)

// netns makes a network namespace joined to this one by a veth pair,
// 10.213.0.1 here and 10.213.0.2 there, and returns its name and the
// host-side link.
func netns(t *testing.T) (ns, link string) {
	t.Helper()
	for _, tool := range []string{"ip", "tc", "python3"} {
		if _, err := exec.LookPath(tool); err != nil {
			testenv.Unavailable(t, tool+" is not installed")
		}
	}
	id := os.Getpid() % 100000
	ns, link, peer := fmt.Sprintf("ingero-e2e-%d", id), fmt.Sprintf("ie%d", id), fmt.Sprintf("ie%dp", id)
	sh := func(args ...string) {
		t.Helper()
		if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	sh("ip", "netns", "add", ns)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
	sh("ip", "link", "add", link, "type", "veth", "peer", "name", peer)
	t.Cleanup(func() { exec.Command("ip", "link", "del", link).Run() })
	sh("ip", "link", "set", peer, "netns", ns)
	sh("ip", "addr", "add", "10.213.0.1/30", "dev", link)
	sh("ip", "link", "set", link, "up")
	sh("ip", "-n", ns, "addr", "add", "10.213.0.2/30", "dev", peer)
	sh("ip", "-n", ns, "link", "set", peer, "up")
	sh("ip", "-n", ns, "link", "set", "lo", "up")
	return ns, link
}

// The sender in the namespace loses packets: netem's random loss where the
// kernel has netem, else the link taken down for a second mid-transfer
// (kernels built without netem, as this CI's). Either way its TCP stack
// retransmits, and the tracer records its sends, its receive and the
// retransmissions of its connection.
const netClient = `
import os, socket, sys, time
port, go, total = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
while not os.path.exists(go):
    time.sleep(0.01)
s = socket.create_connection(("10.213.0.1", port))
chunk = b"x" * 65536
for _ in range(total // len(chunk)):
    s.sendall(chunk)
    time.sleep(0.005)
s.shutdown(socket.SHUT_WR)
print(s.recv(16).decode())
`

func TestNetRetransmitsAndSocketCalls(t *testing.T) {
	standintest.RequireBPF(t)
	ns, link := netns(t)
	ln, err := net.Listen("tcp", "10.213.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	served := make(chan int64, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			served <- -1
			return
		}
		defer c.Close()
		n, _ := io.Copy(io.Discard, c)
		c.Write([]byte("ok"))
		served <- n
	}()
	const total = 4 << 20
	netem := exec.Command("tc", "-n", ns, "qdisc", "add", "dev", link+"p", "root", "netem", "loss", "20%").Run() == nil
	dir := t.TempDir()
	script, gofile := filepath.Join(dir, "client.py"), filepath.Join(dir, "go")
	if err := os.WriteFile(script, []byte(netClient), 0o644); err != nil {
		t.Fatal(err)
	}
	client := exec.Command("ip", "netns", "exec", ns, "python3", script, strconv.Itoa(port), gofile, strconv.Itoa(total))
	var out strings.Builder
	client.Stdout, client.Stderr = &out, &out
	if err := client.Start(); err != nil {
		t.Fatal(err)
	}
	defer client.Process.Kill()
	db := filepath.Join(dir, "net.db")
	tr := startTrace(t, "-d", db, "--pid", strconv.Itoa(client.Process.Pid))
	tr.waitLine("ingero trace: watching", 20*time.Second)
	if err := os.WriteFile(gofile, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if !netem {
		time.Sleep(300 * time.Millisecond)
		exec.Command("ip", "link", "set", link, "down").Run()
		time.Sleep(time.Second)
		exec.Command("ip", "link", "set", link, "up").Run()
	}
	if err := client.Wait(); err != nil {
		t.Fatalf("client: %v\n%s", err, out.String())
	}
	if n := <-served; n != total {
		t.Fatalf("server received %d bytes, want %d", n, total)
	}
	tr.stop()
	t.Logf("loss by netem: %v", netem)
	// ip netns exec runs python3 in the same process (exec, no fork).
	evs, _ := eventsOf(t, db, uint32(client.Process.Pid))
	var sent, recvd uint64
	for _, e := range evs {
		switch {
		case e.Source == event.SourceNet && e.Op == event.NetSend && e.Ret == 0:
			sent += e.Args[1]
		case e.Source == event.SourceNet && e.Op == event.NetRecv && e.Ret == 0:
			recvd += e.Args[1]
		}
	}
	if sent != total || recvd != 2 {
		t.Errorf("recorded %d bytes sent and %d received, want %d and 2", sent, recvd, total)
	}
	_, rec := eventsOf(t, db, 0)
	var all []event.Event
	err = rec.Events(context.Background(), store.Filter{}, func(e *event.Event) error {
		all = append(all, *e)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	server := binary.LittleEndian.Uint32(net.IPv4(10, 213, 0, 1).To4())
	var retrans int
	for _, e := range all {
		if e.Source == event.SourceTCP && e.Op == event.TCPRetransmit && e.Args[1] == uint64(server) && e.Args[2]&0xffff == uint64(port) {
			retrans++
		}
	}
	if retrans == 0 {
		t.Errorf("no retransmission of the connection to 10.213.0.1:%d recorded", port)
	}
	t.Logf("%d retransmissions recorded", retrans)
}
