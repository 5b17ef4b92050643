package main

import (
	"debug/elf"
	"path/filepath"
	"strings"
	"testing"
)

// readOnly are the analysis modules the design card lets an analyst copy
// anywhere: no root, no eBPF, no NVML, no cgo. annotate, which only writes
// to trace's socket, keeps to the same rules.
var readOnly = []string{
	"ingero.dev/ingero-annotate",
	"ingero.dev/ingero-explain",
	"ingero.dev/ingero-query",
	"ingero.dev/ingero-mcp",
	"ingero.dev/ingero-dashboard",
	"ingero.dev/ingero-merge",
	"ingero.dev/ingero-export",
}

// privileged are the import paths only trace, check, demo and the
// multiplexer may link: the eBPF loader, NVML, and ingero's own probes
// (ingero.dev/bpf, which a read-only module could otherwise reach
// without naming cilium/ebpf itself, through a helper package).
var privileged = []string{"github.com/cilium/ebpf", "github.com/NVIDIA/go-nvml", "ingero.dev/bpf"}

// deps lists the packages that the module's packages (tests excluded)
// link. cgo stays on so that files behind the cgo build tag count too.
func deps(t *testing.T, dir string) []string {
	t.Helper()
	out := goTool(t, dir, []string{"CGO_ENABLED=1"}, "list", "-deps", "-f", "{{.ImportPath}}", "./...")
	return strings.Fields(out)
}

func TestReadOnlyModulesLinkNoEBPFOrNVML(t *testing.T) {
	t.Parallel()
	mods := workspaceModules(t)
	for _, mod := range append([]string{"ingero.dev/common"}, readOnly...) {
		dir, ok := mods[mod]
		if !ok {
			t.Errorf("module %s is not in go.work", mod)
			continue
		}
		// ./... in common stops at nested modules such as common/gpu,
		// which are where NVML helpers are allowed to live.
		for _, pkg := range deps(t, dir) {
			for _, bad := range privileged {
				if pkg == bad || strings.HasPrefix(pkg, bad+"/") {
					t.Errorf("%s links %s", mod, pkg)
				}
			}
		}
	}
}

// Every module builds on its own, outside the workspace, as a user's
// "go install ingero.dev/ingero-explain/cmd/..." does: its go.mod must
// name every module it needs and replace the unpublished ones.
func TestEveryModuleBuildsWithoutTheWorkspace(t *testing.T) {
	if testing.Short() {
		t.Skip("builds every module outside the workspace; skipped with -short")
	}
	t.Parallel()
	for mod, dir := range workspaceModules(t) {
		t.Run(mod, func(t *testing.T) {
			goTool(t, dir, []string{"GOWORK=off", "GOFLAGS=-mod=readonly"}, "build", "./...")
		})
	}
}

// Commands talk only through the schema and the stream format, so none
// may import another, and common may import none.
func TestNoCommandImportsAnother(t *testing.T) {
	t.Parallel()
	for mod, dir := range workspaceModules(t) {
		if mod == "ingero.dev/ingero" {
			continue // the multiplexer links them all by design
		}
		for _, pkg := range deps(t, dir) {
			other, ok := commandModule(pkg)
			if ok && other != mod {
				t.Errorf("%s imports %s", mod, pkg)
			}
		}
	}
}

// commandModule returns the ingero-<x> module that pkg belongs to.
func commandModule(pkg string) (string, bool) {
	rest, ok := strings.CutPrefix(pkg, "ingero.dev/ingero-")
	if !ok {
		return "", false
	}
	name, _, _ := strings.Cut(rest, "/")
	return "ingero.dev/ingero-" + name, true
}

// Each read-only binary builds with cgo off into a static executable.
func TestReadOnlyBinariesAreStatic(t *testing.T) {
	if testing.Short() {
		t.Skip("builds six binaries; skipped with -short")
	}
	t.Parallel()
	mods := workspaceModules(t)
	out := t.TempDir()
	for _, mod := range readOnly {
		name := strings.TrimPrefix(mod, "ingero.dev/")
		bin := filepath.Join(out, name)
		goTool(t, mods[mod], []string{"CGO_ENABLED=0"}, "build", "-o", bin, "./cmd/"+name)
		f, err := elf.Open(bin)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range f.Progs {
			if p.Type == elf.PT_INTERP {
				t.Errorf("%s has a dynamic loader: it is not static", name)
			}
		}
		if libs, err := f.ImportedLibraries(); err != nil || len(libs) > 0 {
			t.Errorf("%s needs shared libraries %v (%v)", name, libs, err)
		}
		f.Close()
	}
}
