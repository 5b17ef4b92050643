package demo

import (
	"context"
	"errors"
	"strings"
	"testing"

	"ingero.dev/common/cli"
)

// fakeHost is a host where everything works unless a field says otherwise.
type fakeHost struct {
	bpf, trace, gpu, torch, gcc error
}

func (f fakeHost) host() host {
	return host{
		bpf:   func() error { return f.bpf },
		trace: func() error { return f.trace },
		gpu: func() (string, error) {
			if f.gpu != nil {
				return "", f.gpu
			}
			return "NVIDIA H100 80GB HBM3", nil
		},
		torch: func(_ context.Context, python string) (string, error) {
			if f.torch != nil {
				return "", f.torch
			}
			return "/venv/bin/python", nil
		},
		gcc: func() error { return f.gcc },
	}
}

func TestChooseMode(t *testing.T) {
	noGPU := errors.New("NVIDIA driver unavailable")
	notRoot := errors.New("not root")
	cases := []struct {
		name  string
		h     fakeHost
		mode  mode
		noGPU bool
		want  mode
		why   string // in the selection's reason, or the error
		err   bool
	}{
		{name: "gpu and torch", mode: modeAuto, want: modeGPU},
		{name: "no gpu", h: fakeHost{gpu: noGPU}, mode: modeAuto, want: modeStandin, why: "NVIDIA driver unavailable"},
		{name: "gpu without torch", h: fakeHost{torch: errors.New("no torch")}, mode: modeAuto, want: modeStandin, why: "NVIDIA H100 80GB HBM3 is here, but no torch"},
		{name: "not root", h: fakeHost{bpf: notRoot}, mode: modeAuto, want: modeSynthetic, why: "not root"},
		{name: "no trace", h: fakeHost{trace: errors.New("ingero trace not found")}, mode: modeAuto, want: modeSynthetic, why: "not found"},
		{name: "no gcc", h: fakeHost{gpu: noGPU, gcc: errors.New("gcc not found")}, mode: modeAuto, want: modeSynthetic, why: "gcc not found"},
		{name: "no-gpu flag", mode: modeAuto, noGPU: true, want: modeSynthetic, why: "--no-gpu"},
		{name: "synthetic asked", mode: modeSynthetic, want: modeSynthetic},
		{name: "standin asked on a gpu host", mode: modeStandin, want: modeStandin},
		{name: "standin asked, not root", h: fakeHost{bpf: notRoot}, mode: modeStandin, err: true, why: "--mode standin: not root"},
		{name: "standin asked, no gcc", h: fakeHost{gcc: errors.New("gcc not found")}, mode: modeStandin, err: true, why: "--mode standin: gcc"},
		{name: "gpu asked, none", h: fakeHost{gpu: noGPU}, mode: modeGPU, err: true, why: "--mode gpu: NVIDIA driver unavailable"},
		{name: "no-gpu with gpu mode", mode: modeGPU, noGPU: true, err: true, why: "drop one of --no-gpu"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := &config{host: tc.h.host(), mode: tc.mode, noGPU: tc.noGPU}
			sel, err := c.choose(context.Background())
			if tc.err {
				if err == nil || !strings.Contains(err.Error(), tc.why) {
					t.Fatalf("got %+v, %v; want an error saying %q", sel, err, tc.why)
				}
				return
			}
			if err != nil || sel.mode != tc.want || !strings.Contains(sel.why, tc.why) {
				t.Fatalf("got %+v, %v; want mode %s saying %q", sel, err, tc.want, tc.why)
			}
			if sel.mode == modeGPU && sel.python != "/venv/bin/python" {
				t.Errorf("gpu mode without the python that has torch: %+v", sel)
			}
		})
	}
}

func TestNoGPUWithAnotherModeIsAUsageError(t *testing.T) {
	_, errOut, code := run(t, "--no-gpu", "--mode", "standin", "incident")
	if code != cli.ExitUsage || !strings.Contains(errOut, "drop one of --no-gpu") {
		t.Errorf("exit %d: %s", code, errOut)
	}
	if _, errOut, code := run(t, "--mode", "fast"); code != cli.ExitUsage || !strings.Contains(errOut, "auto, synthetic, standin, gpu") {
		t.Errorf("--mode fast: exit %d: %s", code, errOut)
	}
}
