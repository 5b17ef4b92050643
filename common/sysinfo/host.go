package sysinfo

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Host describes the machine for the session row.
type Host struct {
	Hostname      string
	Kernel        string // release, as uname -r prints it
	OS            string // PRETTY_NAME of os-release
	CPUModel      string
	CPUs          int // logical CPUs
	MemTotalBytes int64
}

// HostInfo describes the running host.
func HostInfo() (Host, error) { return ReadHost("/") }

// ReadHost describes the host whose filesystem is mounted at root. Fields
// it cannot read stay empty and the error names each of them, so a caller
// can record what it has and warn about the rest.
func ReadHost(root string) (Host, error) {
	var h Host
	var errs []error
	read := func(rel string) []byte {
		data, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil {
			errs = append(errs, fmt.Errorf("reading host info: %w", err))
		}
		return data
	}
	h.Hostname = strings.TrimSpace(string(read("proc/sys/kernel/hostname")))
	h.Kernel = strings.TrimSpace(string(read("proc/sys/kernel/osrelease")))
	h.OS = osPrettyName(root)
	h.CPUModel, h.CPUs = parseCPUInfo(read("proc/cpuinfo"))
	if h.CPUs == 0 {
		if stat, err := os.ReadFile(filepath.Join(root, "proc/stat")); err == nil {
			_, h.CPUs, _ = parseStat(stat)
		}
	}
	if mem, err := parseMeminfo(read("proc/meminfo")); err == nil {
		h.MemTotalBytes = int64(mem.total * 1024)
	} else {
		errs = append(errs, err)
	}
	return h, errors.Join(errs...)
}

// osPrettyName follows os-release(5): /etc/os-release, else
// /usr/lib/os-release; PRETTY_NAME, else NAME VERSION; "Linux" when the
// file says nothing, which is os-release(5)'s own default.
func osPrettyName(root string) string {
	for _, rel := range []string{"etc/os-release", "usr/lib/os-release"} {
		data, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil {
			continue
		}
		kv := parseOSRelease(data)
		if v := kv["PRETTY_NAME"]; v != "" {
			return v
		}
		if v := strings.TrimSpace(kv["NAME"] + " " + kv["VERSION"]); v != "" {
			return v
		}
		return "Linux"
	}
	return ""
}

func parseOSRelease(data []byte) map[string]string {
	kv := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), "=")
		if !ok || strings.HasPrefix(k, "#") {
			continue
		}
		if u, err := strconv.Unquote(v); err == nil && len(v) > 0 && v[0] == '"' {
			v = u
		} else if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		}
		kv[k] = v
	}
	return kv
}

// parseCPUInfo returns the first model name and the number of processor
// entries. Arm kernels lack "model name"; their "Hardware" or "Processor"
// line names the SoC or core instead.
func parseCPUInfo(data []byte) (model string, cpus int) {
	fallback := ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch k {
		case "processor":
			cpus++
		case "model name":
			if model == "" {
				model = v
			}
		case "Hardware", "Processor", "cpu model":
			if fallback == "" {
				fallback = v
			}
		}
	}
	if model == "" {
		model = fallback
	}
	return model, cpus
}
