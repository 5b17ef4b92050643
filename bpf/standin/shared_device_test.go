package standin

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// hogKernel is the device time of each of the hog's kernels: 48 of them
// make one of its training steps hold the device for about 97ms, against
// about 1ms for a step of the defaults.
const hogKernel = 2 * time.Millisecond

// hogStep is the device time of one of the hog's training steps.
func hogStep() time.Duration {
	c := DefaultConfig()
	c.Kernel = hogKernel
	return 48 * c.KernelTime(128)
}

// cpuTime adds CPUTimeEnv=1 to env, for the tests that read MeanCPU.
func cpuTime(env []string) []string { return append(env[:len(env):len(env)], CPUTimeEnv+"=1") }

// withHog runs the victim's `train` for iterations steps while a second
// workload runs `train` with hogKernel kernels beside it, both with env,
// and returns the victim's counts.
func withHog(t *testing.T, env []string, iterations string) *Counts {
	t.Helper()
	art := artifacts(t)
	hogEnv := append([]string{"STANDIN_KERNEL_NS=" + strconv.FormatInt(int64(hogKernel), 10)}, env...)
	hog, err := art.Start(t.Context(), hogEnv, "--pattern", "train", "--duration", "2m")
	if err != nil {
		t.Fatal(err)
	}
	victim, err := art.Start(t.Context(), cpuTime(env), "--pattern", "train", "--iterations", iterations)
	if err != nil {
		t.Fatal(err)
	}
	if err := hog.Release(); err != nil {
		t.Fatal(err)
	}
	if err := victim.Release(); err != nil {
		t.Fatal(err)
	}
	c, err := victim.Wait()
	if err != nil {
		t.Fatal(err)
	}
	// The hog must have been running all along: it stops only now, after
	// the step in progress, and reports what it did.
	if err := hog.Cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	h, err := hog.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if h.Iterations == 0 || time.Duration(h.ElapsedNs) < time.Duration(c.ElapsedNs) {
		t.Fatalf("the hog ran %d steps in %v, the victim ran for %v", h.Iterations,
			time.Duration(h.ElapsedNs), time.Duration(c.ElapsedNs))
	}
	return c
}

// A second process queueing long kernels on the same device file makes
// the first one's syncs wait for them; without the file each process has
// a device of its own. Syncs are compared by their CPU time (they spin
// while they wait), which a preemption by whatever else runs on the
// machine leaves out. The factors are loose: sharing makes the wait about
// a hundred times longer.
func TestSharedDeviceSerializesProcesses(t *testing.T) {
	art := artifacts(t)
	file := filepath.Join(t.TempDir(), "gpu")
	shared := []string{DeviceFileEnv + "=" + file}
	solo := runWorkload(t, art, cpuTime(shared), "--pattern", "train", "--iterations", "50").MeanCPU("cudaStreamSynchronize")
	if solo <= 0 {
		t.Fatal("a training step's sync took no time")
	}

	t.Run("shared", func(t *testing.T) {
		got := withHog(t, shared, "20").MeanCPU("cudaStreamSynchronize")
		t.Logf("sync: %v alone, %v beside a hog of %v steps", solo, got, hogStep())
		if got < 5*solo {
			t.Errorf("beside a hog on the same device a sync took %v, alone %v: want at least 5 times as long", got, solo)
		}
	})

	t.Run("private", func(t *testing.T) {
		got := withHog(t, nil, "50").MeanCPU("cudaStreamSynchronize")
		t.Logf("sync: %v alone, %v beside a hog on its own device", solo, got)
		// Even a fifth of a hog step in every sync would mean the hog's
		// kernels reached this process's queue.
		if got > hogStep()/5 {
			t.Errorf("beside a hog on another device a sync took %v (alone %v): the devices are not apart", got, solo)
		}
	})
}

// The driver creates the file for every user despite the umask, joins an
// empty one (as os.CreateTemp leaves it), and refuses anything else.
func TestDeviceFileSetup(t *testing.T) {
	art := artifacts(t)
	dir := t.TempDir()
	env := func(path string) []string { return []string{DeviceFileEnv + "=" + path} }

	old := syscall.Umask(0o077)
	fresh := filepath.Join(dir, "fresh")
	runWorkload(t, art, env(fresh), "--pattern", "train")
	syscall.Umask(old)
	fi, err := os.Stat(fresh)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o666 || fi.Size() != 16 {
		t.Errorf("created %v, %d bytes: want -rw-rw-rw-, 16 bytes", fi.Mode(), fi.Size())
	}

	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	runWorkload(t, art, env(empty), "--pattern", "train")
	if fi, err := os.Stat(empty); err != nil || fi.Size() != 16 {
		t.Errorf("an empty file after a run: %v, %v", fi, err)
	}

	header, err := os.ReadFile(fresh)
	if err != nil {
		t.Fatal(err)
	}
	// The low half of the magic word names the boot; another one is stale.
	staleBoot := append([]byte(nil), header...)
	binary.LittleEndian.PutUint64(staleBoot, binary.LittleEndian.Uint64(staleBoot)^1)

	for name, tc := range map[string]struct {
		content []byte // nil: no file, in a missing directory
		want    string
	}{
		"missing directory": {nil, "opening: no such file or directory"},
		"wrong size":        {[]byte("not a device\n"), "not a stand-in device file: wrong size"},
		"foreign header":    {[]byte("0123456789abcdef"), "not a stand-in device file: unknown header"},
		"stale boot":        {staleBoot, "written before the last boot: remove it"},
	} {
		path := filepath.Join(dir, "missing", "gpu")
		if tc.content != nil {
			path = filepath.Join(dir, strings.ReplaceAll(name, " ", "-"))
			if err := os.WriteFile(path, tc.content, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		_, err := art.Start(t.Context(), env(path), "--pattern", "train")
		if err == nil {
			t.Errorf("%s: the workload started", name)
			continue
		}
		msg := strings.ToLower(err.Error())
		if want := strings.ToLower(DeviceFileEnv + "=" + path + ": " + tc.want); !strings.Contains(msg, want) {
			t.Errorf("%s: got %v\nwant it to say %q", name, err, want)
		}
	}
}

func TestConfigEnvNamesTheDeviceFile(t *testing.T) {
	c := DefaultConfig()
	if env := c.Env(); strings.Contains(strings.Join(env, " "), DeviceFileEnv) {
		t.Errorf("no device file, but Env() = %v", env)
	}
	c.DeviceFile = "/dev/shm/gpu0"
	env := c.Env()
	if len(env) != len(c.params())+1 || env[len(env)-1] != "STANDIN_DEVICE_FILE=/dev/shm/gpu0" {
		t.Errorf("Env() = %v", env)
	}
}
