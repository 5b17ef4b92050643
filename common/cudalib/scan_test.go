package cudalib

import (
	"path/filepath"
	"reflect"
	"testing"
)

// The tree under testdata/proc has maps in the shape of a PyTorch process:
// a venv's libcudart.so.13 and the host's libcuda.so.580, shared by two
// jobs; a container with its own toolkit and the host driver bind-mounted;
// a deleted library; a path with spaces; and processes without CUDA.
const fakeProc = "testdata/proc"

var fakeUsers = map[int]string{0: "root", 1000: "alice", 1001: "bob"}

func fakeScanner() *Scanner {
	return &Scanner{Proc: fakeProc, LookupUser: func(uid int) string { return fakeUsers[uid] }}
}

const (
	venvCudart = "/opt/torch/.venv/lib/python3.12/site-packages/nvidia/cu13/lib/libcudart.so.13"
	hostDriver = "/usr/lib/x86_64-linux-gnu/libcuda.so.580.126.09"
)

func TestScanFindsEachLibraryFileOnce(t *testing.T) {
	snap, err := fakeScanner().Scan()
	if err != nil {
		t.Fatal(err)
	}
	dev10302 := mkdev(0x103, 0x02)
	want := []Library{
		{Path: filepath.Join(fakeProc, "4242/root", venvCudart), MappedPath: venvCudart, Kind: Runtime,
			Dev: dev10302, Inode: 1234567, PIDs: []int{4242, 4243}},
		{Path: filepath.Join(fakeProc, "4242/root", hostDriver), MappedPath: hostDriver, Kind: Driver,
			Dev: dev10302, Inode: 7654321, PIDs: []int{4242, 4243, 5000}},
		{Path: filepath.Join(fakeProc, "5000/root/usr/local/cuda/lib64/libcudart.so.12.8.90"),
			MappedPath: "/usr/local/cuda/lib64/libcudart.so.12.8.90", Kind: Runtime, Dev: mkdev(0, 0x2f),
			Inode: 999, PIDs: []int{5000}},
		{Path: filepath.Join(fakeProc, "5001/map_files/7f2000000000-7f2000020000"),
			MappedPath: "/opt/old/lib/libcudart.so.12", Deleted: true, Kind: Runtime, Dev: dev10302, Inode: 555,
			PIDs: []int{5001}},
		{Path: "", MappedPath: "/opt/my env/lib/libcudart.so.11.0", Kind: Runtime, Dev: dev10302, Inode: 777,
			PIDs: []int{5002}},
	}
	var got []Library
	for _, lib := range snap.Libraries {
		got = append(got, *lib)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("libraries:\n got %+v\nwant %+v", got, want)
	}
}

func TestScanDescribesProcesses(t *testing.T) {
	snap, err := fakeScanner().Scan()
	if err != nil {
		t.Fatal(err)
	}
	type proc struct {
		PID, UID            int
		User, Comm, Cmdline string
		Libs                []string
	}
	want := []proc{
		{4242, 1000, "alice", "python3", "python3 train.py --epochs 3", []string{venvCudart, hostDriver}},
		{4243, 1000, "alice", "python3", "python3 serve.py", []string{hostDriver, venvCudart}},
		{5000, 0, "root", "trainer", "/app/trainer", []string{"/usr/local/cuda/lib64/libcudart.so.12.8.90", hostDriver}},
		{5001, 1001, "bob", "python3", "python3 old.py", []string{"/opt/old/lib/libcudart.so.12"}},
		{5002, 1000, "alice", "legacy app", "./legacy app", []string{"/opt/my env/lib/libcudart.so.11.0"}},
	}
	var got []proc
	for _, p := range snap.Processes {
		q := proc{p.PID, p.UID, p.User, p.Comm, p.Cmdline, nil}
		for _, lib := range p.Libraries {
			q.Libs = append(q.Libs, lib.MappedPath)
		}
		got = append(got, q)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("processes:\n got %+v\nwant %+v", got, want)
	}
	if len(snap.Denied) != 0 {
		t.Errorf("denied %v, want none", snap.Denied)
	}
}

func TestScanPIDsReadsOnlyThose(t *testing.T) {
	snap, err := fakeScanner().ScanPIDs([]int{5000, 6000, 99999})
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Processes) != 1 || snap.Processes[0].PID != 5000 {
		t.Fatalf("processes %+v, want only 5000", snap.Processes)
	}
	if len(snap.Libraries) != 2 || snap.Libraries[1].Kind != Driver || !reflect.DeepEqual(snap.Libraries[1].PIDs, []int{5000}) {
		t.Errorf("libraries %+v, want the container runtime and the host driver, mapped by 5000", snap.Libraries)
	}
}

func TestTextRanges(t *testing.T) {
	got, err := fakeScanner().TextRanges(4242)
	if err != nil {
		t.Fatal(err)
	}
	dev := mkdev(0x103, 0x02)
	want := []Range{
		{Lo: 0x7f3a2c000000, Hi: 0x7f3a2c0a0000, Offset: 0x20000, Path: venvCudart, Kind: Runtime, Dev: dev, Inode: 1234567},
		{Lo: 0x7f3a10400000, Hi: 0x7f3a10c00000, Offset: 0x400000, Path: hostDriver, Kind: Driver, Dev: dev, Inode: 7654321},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ranges:\n got %+v\nwant %+v", got, want)
	}
	if !got[0].Contains(0x7f3a2c000000) || got[0].Contains(0x7f3a2c0a0000) {
		t.Error("Contains must be [Lo, Hi)")
	}
	if _, err := fakeScanner().TextRanges(424242); err == nil {
		t.Error("TextRanges of a missing process: want an error")
	}
}

func TestFilter(t *testing.T) {
	snap, err := fakeScanner().Scan()
	if err != nil {
		t.Fatal(err)
	}
	pids := func(s *Snapshot) []int {
		var out []int
		for _, p := range s.Processes {
			out = append(out, p.PID)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		keep func(*Process) bool
		want []int
	}{
		{"user name", OwnedBy("alice"), []int{4242, 4243, 5002}},
		{"uid", OwnedBy("0"), []int{5000}},
		{"unknown user", OwnedBy("mallory"), nil},
		{"pids", WithPID(5000, 4242, 31337), []int{4242, 5000}},
	} {
		if got := pids(snap.Filter(tc.keep)); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}

	narrowed := snap.Filter(WithPID(4242, 5000))
	drivers := narrowed.OfKind(Driver)
	if len(drivers) != 1 || !reflect.DeepEqual(drivers[0].PIDs, []int{4242, 5000}) {
		t.Errorf("driver after filter: %+v, want one, mapped by 4242 and 5000", drivers)
	}
	if len(narrowed.OfKind(Runtime)) != 2 {
		t.Errorf("runtimes after filter: %+v, want the venv's and the container's", narrowed.OfKind(Runtime))
	}
	if got := snap.OfKind(Driver)[0].PIDs; !reflect.DeepEqual(got, []int{4242, 4243, 5000}) {
		t.Errorf("Filter changed the original snapshot: driver PIDs %v", got)
	}
	if narrowed.Processes[0].Libraries[1] != drivers[0] {
		t.Error("a filtered process must point at the filtered snapshot's library")
	}
}

func TestScanMissingProc(t *testing.T) {
	if _, err := (&Scanner{Proc: "testdata/no-such-proc"}).Scan(); err == nil {
		t.Error("want an error for a missing /proc")
	}
}
