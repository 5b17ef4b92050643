package standin

import (
	"debug/elf"
	"os/exec"
	"reflect"
	"slices"
	"strings"
	"testing"

	"ingero.dev/common/cudalib"
	"ingero.dev/common/testenv"
)

// exportedFuncs lists the defined dynamic functions of lib with their
// symbol versions.
func exportedFuncs(t *testing.T, lib string) (names []string, versions map[string]string) {
	t.Helper()
	f, err := elf.Open(lib)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	syms, err := f.DynamicSymbols()
	if err != nil {
		t.Fatal(err)
	}
	versions = map[string]string{}
	for _, s := range syms {
		if s.Section != elf.SHN_UNDEF && elf.ST_TYPE(s.Info) == elf.STT_FUNC {
			names = append(names, s.Name)
			versions[s.Name] = s.Version
		}
	}
	slices.Sort(names)
	return names, versions
}

func TestExportsAreExactlyTheAPI(t *testing.T) {
	art := artifacts(t)
	for _, tc := range []struct {
		lib, soname, version string
		want                 []string
	}{
		{art.Runtime, "libcudart.so.12", RuntimeVersionNode, RuntimeSymbols},
		{art.Driver, "libcuda.so.1", "", DriverSymbols},
		{art.NCCL, "libnccl.so.2", "", NCCLSymbols},
	} {
		got, versions := exportedFuncs(t, tc.lib)
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s exports\n%v\nwant\n%v", tc.soname, got, tc.want)
		}
		for name, v := range versions {
			if v != tc.version {
				t.Errorf("%s: %s has version %q, want %q", tc.soname, name, v, tc.version)
			}
		}
		f, err := elf.Open(tc.lib)
		if err != nil {
			t.Fatal(err)
		}
		soname, err := f.DynString(elf.DT_SONAME)
		f.Close()
		if err != nil || !reflect.DeepEqual(soname, []string{tc.soname}) {
			t.Errorf("SONAME %v (%v), want %s", soname, err, tc.soname)
		}
		present, missing, err := cudalib.Symbols(tc.lib, tc.want)
		if err != nil || len(missing) != 0 || len(present) != len(tc.want) {
			t.Errorf("cudalib.Symbols(%s): missing %v, err %v", tc.soname, missing, err)
		}
	}
}

// nm -D is what a user would run to check; it must agree.
func TestNMShowsOnlyTheAPI(t *testing.T) {
	art := artifacts(t)
	nm := testenv.RequireTool(t, "nm", "binutils")
	for lib, want := range map[string][]string{art.Runtime: RuntimeSymbols, art.Driver: DriverSymbols} {
		out, err := exec.Command(nm, "-D", "--defined-only", lib).Output()
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for line := range strings.Lines(string(out)) {
			f := strings.Fields(line)
			if len(f) != 3 {
				continue
			}
			if f[1] == "A" && strings.HasPrefix(f[2], "libcudart.so") {
				continue // the version node's own absolute symbol
			}
			if f[1] != "T" {
				t.Errorf("%s: unexpected export %q", lib, line)
				continue
			}
			name, _, _ := strings.Cut(f[2], "@")
			got = append(got, name)
		}
		slices.Sort(got)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("nm -D %s:\n%v\nwant\n%v", lib, got, want)
		}
	}
}

// The runtime must reach the driver only through dlopen and function
// pointers: no DT_NEEDED on libcuda and no undefined cu* symbol, so that
// no PLT call or LD_PRELOAD shim could see a driver call.
func TestRuntimeDoesNotLinkTheDriver(t *testing.T) {
	art := artifacts(t)
	f, err := elf.Open(art.Runtime)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	needed, err := f.DynString(elf.DT_NEEDED)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range needed {
		if strings.HasPrefix(n, "libcuda") {
			t.Errorf("libcudart.so.12 needs %s", n)
		}
	}
	syms, err := f.DynamicSymbols()
	if err != nil {
		t.Fatal(err)
	}
	var imports []string
	for _, s := range syms {
		if s.Section == elf.SHN_UNDEF {
			imports = append(imports, s.Name)
		}
	}
	if !slices.Contains(imports, "dlopen") || !slices.Contains(imports, "dlsym") {
		t.Errorf("libcudart.so.12 imports %v: want dlopen and dlsym", imports)
	}
	for _, s := range imports {
		if strings.HasPrefix(s, "cu") {
			t.Errorf("libcudart.so.12 imports %s directly", s)
		}
	}
}
