package demo

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"
)

//go:embed torch_demo.py
var torchScript []byte

// torchKit runs the scenarios with PyTorch on the first GPU.
type torchKit struct {
	python, script, model string
	ckpt                  string // where the train-ckpt loop writes its checkpoint
}

func newTorchKit(dir, ckpt, python, model string) (*torchKit, error) {
	script := filepath.Join(dir, "torch_demo.py")
	if err := os.WriteFile(script, torchScript, 0o644); err != nil {
		return nil, fmt.Errorf("writing the PyTorch script: %w", err)
	}
	return &torchKit{python: python, script: script, model: model, ckpt: ckpt}, nil
}

func (k *torchKit) describe() string {
	return fmt.Sprintf("ingero trace records PyTorch (%s) on GPU 0, %s, through its eBPF probes", k.python, k.model)
}

var torchRole = map[role]string{roleTrain: "train", roleShare: "share", roleSteal: "steal"}

func (k *torchKit) workload(pattern, comm string, r role, cpu int, d time.Duration) ([]string, []string) {
	return []string{k.python, k.script, "--pattern", pattern, "--role", torchRole[r], "--comm", comm,
		"--cpu", strconv.Itoa(cpu), "--duration", ms(d), "--ckpt-dir", k.ckpt}, nil
}

func (k *torchKit) hog(comm string, cpu int, d time.Duration) []string {
	return []string{k.python, k.script, "--pattern", "busy", "--comm", comm, "--cpu", strconv.Itoa(cpu), "--duration", ms(d)}
}

func (k *torchKit) workingSet(ws int64, dataDir string) ([]string, []string) {
	args := []string{"--working-set", strconv.FormatInt(ws, 10)}
	if dataDir != "" {
		args = append(args, "--data-dir", dataDir)
	}
	return args, nil
}

func (k *torchKit) diskDir() string { return k.ckpt }

// PyTorch takes seconds to import and to set up CUDA.
func (k *torchKit) readyTimeout() time.Duration { return 3 * time.Minute }

// torchReady finds a Python whose PyTorch sees the GPU: python when
// given, else $INGERO_PYTHON, else python3 on $PATH.
func torchReady(ctx context.Context, python string) (string, error) {
	if python == "" {
		python = os.Getenv("INGERO_PYTHON")
	}
	if python == "" {
		python = "python3"
	}
	path, err := exec.LookPath(python)
	if err != nil {
		return "", fmt.Errorf("no Python (%s) to run PyTorch: pass --python PATH", python)
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, "-c", "import sys, torch; sys.exit(0 if torch.cuda.is_available() else 3)")
	err = cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return path, nil
	case errors.As(err, &ee) && ee.ExitCode() == 3:
		return "", fmt.Errorf("the PyTorch of %s sees no GPU: pass --python with a CUDA-enabled one", path)
	default:
		return "", fmt.Errorf("%s has no working PyTorch (%v): pass --python PATH (e.g. a venv's bin/python)", path, err)
	}
}
