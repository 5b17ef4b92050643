package demo

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"

	"ingero.dev/bpf/sysreq"
	"ingero.dev/common/cli"
	"ingero.dev/common/gpu"
)

// mode is how the demo produces its events.
type mode string

const (
	modeAuto      mode = "auto"      // the best this host allows
	modeSynthetic mode = "synthetic" // generated events, no tracing
	modeStandin   mode = "standin"   // real tracing of the gcc-built stand-in CUDA library
	modeGPU       mode = "gpu"       // real tracing of PyTorch on a GPU
)

var modes = []mode{modeAuto, modeSynthetic, modeStandin, modeGPU}

func (m *mode) String() string { return string(*m) }

func (m *mode) Set(s string) error {
	for _, x := range modes {
		if string(x) == s {
			*m = x
			return nil
		}
	}
	return fmt.Errorf("want one of auto, synthetic, standin, gpu")
}

// host answers what the modes need; tests replace it.
type host struct {
	bpf   func() error
	trace func() error
	gpu   func() (model string, err error)
	torch func(ctx context.Context, python string) (path string, err error)
	gcc   func() error
}

func realHost() host {
	return host{
		bpf: func() error {
			err := sysreq.Check()
			if errors.Is(err, sysreq.ErrNotRoot) {
				return errors.New("not root, and tracing loads eBPF programs: run 'sudo ingero demo' for the real mode")
			}
			return err
		},
		trace: func() error { _, _, err := findCommand("trace"); return err },
		gpu:   firstGPU,
		torch: torchReady,
		gcc: func() error {
			if _, err := exec.LookPath("gcc"); err != nil {
				return errors.New("gcc not found, and the stand-in CUDA library is built with it: install gcc")
			}
			return nil
		},
	}
}

func firstGPU() (string, error) {
	info, err := gpu.Query()
	if err != nil {
		return "", err
	}
	if len(info.Devices) == 0 {
		return "", errors.New("the NVIDIA driver sees no GPU")
	}
	return info.Devices[0].Name, nil
}

// selection is the mode that runs and why it was chosen.
type selection struct {
	mode   mode
	why    string
	model  string // the GPU, in gpu mode
	python string // the Python with PyTorch, in gpu mode
}

// choose picks the mode: the one asked for, which must be possible, or
// with auto the best possible, saying what kept a better one out.
func (c *config) choose(ctx context.Context) (selection, error) {
	want := c.mode
	if c.noGPU {
		if want != modeAuto && want != modeSynthetic {
			return selection{}, cli.Usagef("--no-gpu is --mode synthetic; drop one of --no-gpu and --mode %s", want)
		}
		return selection{mode: modeSynthetic, why: "--no-gpu"}, nil
	}
	if want == modeSynthetic {
		return selection{mode: modeSynthetic, why: "--mode synthetic"}, nil
	}
	if err := c.canTrace(); err != nil {
		if want != modeAuto {
			return selection{}, fmt.Errorf("--mode %s: %w", want, err)
		}
		return selection{mode: modeSynthetic, why: err.Error()}, nil
	}
	var noGPU error
	if want == modeAuto || want == modeGPU {
		model, err := c.host.gpu()
		if err == nil {
			var python string
			if python, err = c.host.torch(ctx, c.python); err == nil {
				return selection{mode: modeGPU, model: model, python: python}, nil
			}
			err = fmt.Errorf("%s is here, but %w", model, err)
		}
		if want == modeGPU {
			return selection{}, fmt.Errorf("--mode gpu: %w", err)
		}
		noGPU = err
	}
	if err := c.host.gcc(); err != nil {
		if want == modeStandin {
			return selection{}, fmt.Errorf("--mode standin: %w", err)
		}
		return selection{mode: modeSynthetic, why: err.Error()}, nil
	}
	sel := selection{mode: modeStandin}
	if noGPU != nil {
		sel.why = firstLine(noGPU.Error())
	}
	return sel, nil
}

// canTrace says why real tracing is impossible here, if it is.
func (c *config) canTrace() error {
	if err := c.host.bpf(); err != nil {
		return err
	}
	return c.host.trace()
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}
