package sysinfo

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ingero.dev/common/testenv"
)

func TestReadHost(t *testing.T) {
	h, err := ReadHost("testdata/host")
	if err != nil {
		t.Fatal(err)
	}
	want := Host{
		Hostname:      "gpu-node-07",
		Kernel:        "6.18.0-ingero",
		OS:            "Debian GNU/Linux 13 (trixie)",
		CPUModel:      "Intel(R) Xeon(R) Platinum 8480+",
		CPUs:          2,
		MemTotalBytes: 16_384_000 * 1024,
	}
	if h != want {
		t.Errorf("got  %+v\nwant %+v", h, want)
	}
}

func TestReadHostPartial(t *testing.T) {
	root := fakeRoot(t)
	for _, f := range []string{"proc/sys/kernel/hostname", "proc/cpuinfo", "etc/os-release"} {
		if err := os.Remove(filepath.Join(root, f)); err != nil {
			t.Fatal(err)
		}
	}
	h, err := ReadHost(root)
	if err == nil || !strings.Contains(err.Error(), "hostname") || !strings.Contains(err.Error(), "cpuinfo") {
		t.Errorf("error must name each missing file, got %v", err)
	}
	if h.Hostname != "" || h.Kernel != "6.18.0-ingero" || h.CPUs != 2 || h.OS != "" {
		t.Errorf("partial host = %+v (CPUs must fall back to /proc/stat)", h)
	}
}

func TestParseOSRelease(t *testing.T) {
	in := "# comment\nNAME='Arch Linux'\nPRETTY_NAME=\"Say \\\"hi\\\"\"\nID=arch\nBAD\n"
	kv := parseOSRelease([]byte(in))
	if kv["NAME"] != "Arch Linux" || kv["PRETTY_NAME"] != `Say "hi"` || kv["ID"] != "arch" {
		t.Errorf("parsed %q", kv)
	}
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "usr/lib"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "usr/lib/os-release"), []byte("NAME=Fedora\nVERSION=\"41\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := osPrettyName(root); got != "Fedora 41" {
		t.Errorf("fallback name = %q", got)
	}
}

func TestParseCPUInfoArm(t *testing.T) {
	in := "processor\t: 0\nBogoMIPS\t: 50.00\nCPU part\t: 0xd0c\n\nprocessor\t: 1\n\nHardware\t: NVIDIA Grace\n"
	model, cpus := parseCPUInfo([]byte(in))
	if model != "NVIDIA Grace" || cpus != 2 {
		t.Errorf("got %q, %d", model, cpus)
	}
}

func TestHostInfoOnThisHost(t *testing.T) {
	if _, err := os.Stat("/proc/cpuinfo"); err != nil {
		testenv.Unavailable(t, "no /proc on this host")
	}
	h, err := HostInfo()
	if err != nil {
		t.Logf("partial host info: %v", err)
	}
	if h.Kernel == "" || h.CPUs < 1 || h.MemTotalBytes <= 0 {
		t.Errorf("implausible host %+v", h)
	}
}
