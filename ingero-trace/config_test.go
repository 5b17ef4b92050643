package trace

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ingero.dev/common/cli"
)

func runCmd(t *testing.T, args ...string) (string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	stdio := cli.Stdio{In: strings.NewReader(""), Out: &out, Err: &errb}
	code := cli.Run(New(stdio), args, stdio)
	return errb.String(), code
}

func TestBadFlagsAreUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--ringbuf-size", "5000"},
		{"--ringbuf-size", "2048"},
		{"--ringbuf-size", "2g"},
		{"--sampling-rate", "-1"},
		{"--max-db", "ten"},
		{"--duration", "5"},
		{"--deadband", "150"},
		{"--heartbeat", "30s"},
		{"--pid", "12,abc"},
		{"--pid", "1", "--user", "bob"},
		{"--user", "nosuchuser-ingero"},
		{"--prometheus", ":9090"}, // plain HTTP off loopback
		{"--prometheus", "9090"},
		{"--otlp", "localhost"},
		{"--throttle-poll-interval", "-1s"},
		{"--py-walker", "pyspy"},
		{"--stack=false", "--py-walker", "userspace"},
		{"--py-walker", "userspace"},
		{"--json", "--stream", "-"},
		{"--json", "--verbose"},
		{"--cuda-lib", "/nonexistent/libcudart.so.12"},
		{"extra-arg"},
	} {
		msg, code := runCmd(t, args...)
		if code != cli.ExitUsage {
			t.Errorf("%v: exit %d, want 2 (%q)", args, code, msg)
		}
		if strings.Count(msg, "\n") != 1 || !strings.Contains(msg, "ingero trace") {
			t.Errorf("%v: want one line naming the command, got %q", args, msg)
		}
	}
}

func TestGoodFlagsValidate(t *testing.T) {
	lib := filepath.Join(t.TempDir(), "libcudart.so.12")
	os.WriteFile(lib, nil, 0o644)
	for _, args := range [][]string{
		{"--ringbuf-size", "4096"},
		{"--ringbuf-size", "32m"},
		{"--sampling-rate", "0"},
		{"--max-db", "500m", "--deadband", "5", "--heartbeat", "30s"},
		{"--pid", "4821,5032", "--pid", "7"},
		{"--cuda-lib", lib, "--stream", "-"},
		{"--user", "root"},
		{"--user", "0"},
		{"--user", "4242"}, // a uid without a name still owns processes
		{"--stack=false", "--throttle-poll-interval", "0"},
		{"--stack", "--py-walker", "userspace"},
		{"--stack", "--py-walker", "auto"},
		{"--stack", "--py-walker", "ebpf"},
		{"--prometheus", "127.0.0.1:9464", "--otlp", "collector.example:4318", "--throttle-poll-interval", "2s"},
		{"--prometheus", "[::1]:0"},
	} {
		c := &config{}
		fs := flag.NewFlagSet("trace", flag.ContinueOnError)
		c.register(fs)
		if err := fs.Parse(args); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		if err := c.validate(); err != nil {
			t.Errorf("%v: %v", args, err)
		}
	}
}

func TestPIDList(t *testing.T) {
	var p pidList
	if err := p.Set("4821, 5032"); err != nil {
		t.Fatal(err)
	}
	if err := p.Set("7"); err != nil {
		t.Fatal(err)
	}
	if p.String() != "4821,5032,7" {
		t.Errorf("pids = %s", p.String())
	}
	if err := p.Set("0"); err == nil {
		t.Error("pid 0 accepted")
	}
}
