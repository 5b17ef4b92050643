package mcp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"ingero.dev/common/report"
	"ingero.dev/common/store"
	"ingero.dev/common/sysinfo"
)

// CheckIn takes only the common inputs.
type CheckIn struct {
	Common
}

// CheckOut is what can be known about this host and the recorded one.
// mcp is a read-only binary without NVML or eBPF, so the readiness checks
// come from running `ingero check --json` when it is installed; the rest
// it reads itself.
type CheckOut struct {
	// Checks are ingero check's results (docs/check.md); [] when it could
	// not be run, and ChecksFrom says why.
	Checks     []report.CheckResult `json:"checks"`
	ChecksFrom string               `json:"checks_from" fence:"ours"`
	Ready      *bool                `json:"ready,omitempty"` // ingero check's verdict: true when trace can run here
	Host       HostFacts            `json:"host"`
	// Recording describes the file and the hosts it was recorded on,
	// which may not be this one.
	Recording *RecordingFacts `json:"recording,omitempty"`
	Note      string          `json:"note,omitempty" fence:"ours"`
}

// HostFacts describe the host this server runs on, read from its own
// /proc and /etc: not recorded text, so not fenced.
type HostFacts struct {
	Hostname      string `json:"hostname" fence:"ours"`
	Kernel        string `json:"kernel" fence:"ours"`
	OS            string `json:"os" fence:"ours"`
	CPUModel      string `json:"cpu_model" fence:"ours"`
	CPUs          int    `json:"cpus"`
	MemTotalBytes int64  `json:"mem_total_bytes"`
	BTF           bool   `json:"btf"` // /sys/kernel/btf/vmlinux exists (needed by trace)
}

// RecordingFacts describe the recording and its sessions.
type RecordingFacts struct {
	Path          string `json:"path" fence:"ours"` // as -d named it
	SchemaVersion int    `json:"schema_version"`
	Events        int64  `json:"events"`
	First         string `json:"first,omitempty"`
	Last          string `json:"last,omitempty"`
	// Sessions recorded the window (all of them without since), newest
	// first, at most 20 of SessionsTotal.
	Sessions      []SessionFact `json:"sessions"`
	SessionsTotal int64         `json:"sessions_total"`
	Warnings      []string      `json:"warnings,omitempty" fence:"ours"`
}

// SessionFact is one run of ingero trace, as the file records it.
type SessionFact struct {
	ID          string `json:"id"`
	Host        string `json:"host"`
	Started     string `json:"started"`
	Stopped     string `json:"stopped,omitempty"` // absent while running or after a crash
	Kernel      string `json:"kernel"`
	GPUModel    string `json:"gpu_model"`
	GPUDriver   string `json:"gpu_driver"`
	CUDAVersion string `json:"cuda_version"`
	Version     string `json:"version"`
	Events      int64  `json:"events"`
	KernelDrops int64  `json:"kernel_drops"`
	UserDrops   int64  `json:"user_drops"`
	SampledOut  int64  `json:"sampled_out"`
}

const checkTimeout = time.Minute

func (s *server) getCheck(ctx context.Context, in CheckIn) (*CheckOut, error) {
	if _, err := parseSince(in.Since); err != nil {
		return nil, err // before running check: a typo should not cost a minute
	}
	out := &CheckOut{Checks: []report.CheckResult{}}
	out.ChecksFrom, out.Ready = s.runCheck(ctx, out)
	h, _ := sysinfo.HostInfo() // fields it cannot read stay empty
	_, btfErr := os.Stat("/sys/kernel/btf/vmlinux")
	out.Host = HostFacts{Hostname: h.Hostname, Kernel: h.Kernel, OS: h.OS, CPUModel: h.CPUModel,
		CPUs: h.CPUs, MemTotalBytes: h.MemTotalBytes, BTF: btfErr == nil}
	r, err := s.src.open()
	switch {
	case errors.Is(err, errNoRecording):
		out.Note = err.Error()
		return out, nil
	case err != nil:
		return nil, err
	}
	defer r.Close()
	w, err := windowOf(r, in.Since)
	if err != nil {
		return nil, err
	}
	out.Recording, err = s.recordingFacts(ctx, r, w)
	return out, err
}

// runCheck runs `ingero check --json` and says where the checks came
// from. Exit 1 is its verdict "not ready", not a failure to run.
func (s *server) runCheck(ctx context.Context, out *CheckOut) (string, *bool) {
	argv, err := s.sibling("check")
	if err != nil {
		return "not run: " + err.Error() + "; the host facts below are what this read-only binary can read itself", nil
	}
	argv = append(argv, "--json")
	stdout, code, err := runSibling(ctx, checkTimeout, 1<<20, argv)
	if err != nil && code != 1 {
		return "not run: " + err.Error(), nil
	}
	if err := json.Unmarshal(stdout, &out.Checks); err != nil {
		out.Checks = []report.CheckResult{}
		return fmt.Sprintf("not run: '%s' printed no check list (%v)", strings.Join(argv, " "), err), nil
	}
	ready := code == 0
	return "'" + strings.Join(argv, " ") + "' on this host", &ready
}

// recordingFacts describes the file, and the sessions that recorded the
// window (with since, those still running at its start or later).
func (s *server) recordingFacts(ctx context.Context, r *store.Reader, w window) (*RecordingFacts, error) {
	sp, err := r.TimeSpan()
	if err != nil {
		return nil, err
	}
	rf := &RecordingFacts{Path: s.src.describe(), SchemaVersion: r.SchemaVersion(), Events: sp.Events,
		Sessions: []SessionFact{}, Warnings: s.src.warnings()}
	if sp.Events > 0 {
		rf.First, rf.Last = report.Stamp(sp.FirstNs), report.Stamp(sp.LastNs)
	}
	// Read with SQL, capped, rather than Reader.Sessions: a crafted file
	// may hold a million sessions or a kernel string of megabytes.
	res, err := r.Query(ctx, 20, `SELECT substr(id, 1, 256), substr(host, 1, 256), start_ns, stop_ns, substr(kernel, 1, 256), substr(gpu_model, 1, 256),
		substr(gpu_driver, 1, 64), substr(cuda_version, 1, 64), substr(version, 1, 64),
		events, kernel_drops, user_drops, sampled_out, (SELECT count(*) FROM sessions WHERE stop_ns = 0 OR stop_ns >= ?1)
		FROM sessions WHERE stop_ns = 0 OR stop_ns >= ?1 ORDER BY start_ns DESC, id`, w.FromNs)
	if err != nil {
		return nil, err
	}
	for _, row := range res.Rows {
		sf := SessionFact{ID: str(row[0]), Host: str(row[1]), Started: report.Stamp(num(row[2])),
			Kernel: str(row[4]), GPUModel: str(row[5]), GPUDriver: str(row[6]), CUDAVersion: str(row[7]),
			Version: str(row[8]), Events: num(row[9]), KernelDrops: num(row[10]), UserDrops: num(row[11]), SampledOut: num(row[12])}
		if stop := num(row[3]); stop != 0 {
			sf.Stopped = report.Stamp(stop)
		}
		rf.Sessions = append(rf.Sessions, sf)
		rf.SessionsTotal = num(row[13])
	}
	return rf, nil
}

func str(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []byte:
		return string(v)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

func num(v any) int64 {
	switch v := v.(type) {
	case int64:
		return v
	case float64:
		return int64(v)
	}
	return 0
}
