package cudalib

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"ingero.dev/common/testenv"
)

func TestKindOf(t *testing.T) {
	for path, want := range map[string]Kind{
		"/usr/lib/x86_64-linux-gnu/libcudart.so.12": Runtime,
		"libcudart.so":                                    Runtime,
		"/x/nvidia/cu13/lib/libcudart.so.13":              Runtime,
		"/usr/lib/x86_64-linux-gnu/libcuda.so.580.126.09": Driver,
		"/usr/lib/wsl/lib/libcuda.so.1":                   Driver,
		"/usr/local/cuda/lib64/libcudart_static.a":        0,
		"/usr/lib/x86_64-linux-gnu/libcudadebugger.so.1":  0,
		"/x/nvidia/cudnn/lib/libcudnn.so.9":               0,
		"/opt/libcudart.so.12.dir/libc.so.6":              0,
	} {
		got, ok := KindOf(path)
		if got != want || ok != (want != 0) {
			t.Errorf("KindOf(%q) = %v, %v; want %v", path, got, ok, want)
		}
	}
}

func TestParseMapsLine(t *testing.T) {
	for _, tc := range []struct {
		line string
		ok   bool
		want mapping
	}{
		{
			line: "7f3a2c000000-7f3a2c0a0000 r-xp 00020000 103:02 1234567                   /opt/torch/.venv/lib/python3.12/site-packages/nvidia/cu13/lib/libcudart.so.13",
			ok:   true,
			want: mapping{lo: 0x7f3a2c000000, hi: 0x7f3a2c0a0000, offset: 0x20000, perms: "r-xp",
				id: FileID{mkdev(0x103, 2), 1234567}, kind: Runtime,
				path: "/opt/torch/.venv/lib/python3.12/site-packages/nvidia/cu13/lib/libcudart.so.13"},
		},
		{
			line: "7f00-7f10 r-xp 00000000 fd:01 42 /opt/my env/libcuda.so.1 (deleted)",
			ok:   true,
			want: mapping{lo: 0x7f00, hi: 0x7f10, perms: "r-xp", id: FileID{mkdev(0xfd, 1), 42},
				path: "/opt/my env/libcuda.so.1", deleted: true, kind: Driver},
		},
		{
			line: "7f00-7f10 r--p 00000000 08:01 7 /usr/lib/x86_64-linux-gnu/libc.so.6",
			ok:   true,
			want: mapping{lo: 0x7f00, hi: 0x7f10, perms: "r--p", id: FileID{mkdev(8, 1), 7},
				path: "/usr/lib/x86_64-linux-gnu/libc.so.6"},
		},
		{line: "7ffd1e5e0000-7ffd1e601000 rw-p 00000000 00:00 0                          [stack]"},
		{line: "7f3a2c0c8000-7f3a2c0d0000 rw-p 00000000 00:00 0 "},
	} {
		got, ok, err := parseMapsLine(tc.line)
		if err != nil {
			t.Errorf("%q: %v", tc.line, err)
			continue
		}
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("%q:\n got %+v, %v\nwant %+v, %v", tc.line, got, ok, tc.want, tc.ok)
		}
	}
	for _, bad := range []string{
		"7f00 r-xp 00000000 fd:01 42 /lib/libcuda.so.1",
		"7f00-7f10 r-xp 00000000 fd01 42 /lib/libcuda.so.1",
		"7f00-7f10 r-xp 0000zz00 fd:01 42 /lib/libcuda.so.1",
		"7f00-7f10 r-xp 00000000 fd:01 inode /lib/libcuda.so.1",
	} {
		if _, _, err := parseMapsLine(bad); err == nil {
			t.Errorf("%q: want an error", bad)
		}
	}
}

// The device numbers in maps must compare equal to stat's, or no library
// would ever match its file: check against this process's own executable.
func TestMapsDeviceMatchesStat(t *testing.T) {
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		testenv.Unavailable(t, "no /proc/self/exe: "+err.Error())
	}
	fi, err := os.Stat(exe)
	if err != nil {
		t.Fatal(err)
	}
	want, ok := fileID(fi)
	if !ok {
		testenv.Unavailable(t, "no device numbers on this system")
	}
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if !strings.HasSuffix(sc.Text(), " "+exe) {
			continue
		}
		m, ok, err := parseMapsLine(sc.Text())
		if err != nil || !ok {
			t.Fatalf("parsing %q: %v %v", sc.Text(), ok, err)
		}
		if m.id != want {
			t.Fatalf("maps says %+v for %s, stat says %+v", m.id, exe, want)
		}
		return
	}
	t.Fatalf("%s not in /proc/self/maps", exe)
}

func TestMkdev(t *testing.T) {
	for _, tc := range []struct{ major, minor, want uint64 }{
		{0xfe, 0, 65024},
		{8, 1, 2049},
		{0x103, 2, 66306},
		{259, 0x12345, 0x12300000 | 259<<8 | 0x45},
		{0x1234, 5, 0x1000_0000_0000 | 0x234<<8 | 5},
	} {
		if got := mkdev(tc.major, tc.minor); got != tc.want {
			t.Errorf("mkdev(%#x, %#x) = %#x, want %#x", tc.major, tc.minor, got, tc.want)
		}
	}
}

func TestMapsReaderSkipsOverlongLines(t *testing.T) {
	cuda := "7f00-7f10 r-xp 00000000 fd:01 42 /lib/libcuda.so.1\n"
	long := "7f20-7f30 r-xp 00000000 fd:01 43 /" + strings.Repeat("libcuda/", 10000) + "libcudart.so.12\n"
	mr := newMapsReader()
	for _, input := range []string{cuda + long + cuda, long + cuda, cuda + strings.TrimSuffix(cuda, "\n")} {
		got, err := mr.read(strings.NewReader(input))
		if err != nil {
			t.Fatal(err)
		}
		want := strings.Count(input, "libcuda.so.1")
		if len(got) != want {
			t.Errorf("read %d mappings, want %d", len(got), want)
		}
	}
}
