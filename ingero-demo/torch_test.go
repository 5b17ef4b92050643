package demo

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"ingero.dev/common/testenv"
)

// scriptKit is the gpu mode's kit with python3 for a Python: enough for
// the parts of the script that do not import PyTorch.
func scriptKit(t *testing.T) *torchKit {
	t.Helper()
	python := testenv.RequireTool(t, "python3", "python3")
	k, err := newTorchKit(t.TempDir(), t.TempDir(), python, "test GPU")
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestTorchScriptHog runs the embedded PyTorch script's CPU hog the way
// the gpu mode does (it needs Python, not PyTorch): it must speak the
// ready-file protocol, take the planted name and pin itself.
func TestTorchScriptHog(t *testing.T) {
	k := scriptKit(t)
	ctx := context.Background()
	ch, err := startChild(ctx, "hog", k.hog("logrotate", planCPUs().train, 5*time.Second), nil, false, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer ch.stop()
	comm, err := os.ReadFile("/proc/" + strconv.Itoa(ch.pid()) + "/comm")
	if err != nil || strings.TrimSpace(string(comm)) != "logrotate" {
		t.Errorf("comm %q, %v", comm, err)
	}
	status, err := os.ReadFile("/proc/" + strconv.Itoa(ch.pid()) + "/status")
	want := "Cpus_allowed_list:\t" + strconv.Itoa(planCPUs().train) + "\n"
	if err != nil || !strings.Contains(string(status), want) {
		t.Errorf("not pinned: want %q in\n%s", want, status)
	}
}

func TestTorchScriptRefusesBadDuration(t *testing.T) {
	k := scriptKit(t)
	argv := k.hog("x", 0, time.Second)
	argv[len(argv)-1] = "1s"
	out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "wants milliseconds") {
		t.Errorf("err %v: %s", err, out)
	}
}
