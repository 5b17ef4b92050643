// Package blockiotest gives tests block IO they can find in a recording:
// O_DIRECT reads and writes on a block-backed filesystem, each on a thread
// of its own, so that the requests are submitted by a known thread and
// their byte counts are exact (no page cache, no writeback in between).
package blockiotest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
	"ingero.dev/common/event"
	"ingero.dev/common/testenv"
)

// File is a file opened with O_DIRECT on a block device's filesystem.
type File struct {
	Path string
	// Devices are the devices, as the records carry them (major<<20 |
	// minor), its requests may name: the filesystem's own, the devices
	// under it (device mapper, md), and their whole disks.
	Devices map[uint64]bool
	// WriteCache says a disk under it has a volatile write cache, so that
	// fsync sends flush requests.
	WriteCache bool

	fd  int
	buf []byte
}

// Span is one IO call: the thread that made it and when (Unix ns).
type Span struct {
	PID, TID       uint32
	StartNs, EndNs int64
}

// Holds says e came from the span's thread.
func (s Span) Holds(e *event.Event) bool { return e.PID == s.PID && e.TID == s.TID }

// Open creates a file of size bytes (a multiple of 4096) in a directory on
// a block device and writes it once, so that later writes allocate
// nothing. No such directory skips tb (fails it under INGERO_E2E=1).
func Open(tb testing.TB, size int) *File {
	tb.Helper()
	var reasons []string
	for _, dir := range candidates() {
		f, err := open(dir, size)
		if err == nil {
			tb.Cleanup(f.close)
			f.WriteSync(tb)
			return f
		}
		reasons = append(reasons, err.Error())
	}
	testenv.Unavailable(tb, "no directory on a block device takes O_DIRECT: "+strings.Join(reasons, "; "))
	return nil
}

func candidates() []string {
	dirs := []string{os.TempDir(), "/var/tmp"}
	if wd, err := os.Getwd(); err == nil {
		dirs = append(dirs, wd)
	}
	return dirs
}

// Filesystems whose files no block request carries.
var notBlock = map[int64]string{0x01021994: "tmpfs", 0x858458f6: "ramfs", 0x794c7630: "overlay"}

func open(dir string, size int) (*File, error) {
	var fs unix.Statfs_t
	if err := unix.Statfs(dir, &fs); err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	if name, ok := notBlock[int64(fs.Type)]; ok {
		return nil, fmt.Errorf("%s is on %s", dir, name)
	}
	var st unix.Stat_t
	if err := unix.Stat(dir, &st); err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	devs, cache, err := devicesUnder(unix.Major(st.Dev), unix.Minor(st.Dev))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	path := filepath.Join(dir, fmt.Sprintf("ingero-blockio-%d-%d", os.Getpid(), time.Now().UnixNano()))
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_CREAT|unix.O_EXCL|unix.O_DIRECT|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening %s with O_DIRECT: %w", path, err)
	}
	// Anonymous memory is page-aligned, as O_DIRECT wants.
	buf, err := unix.Mmap(-1, 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
	if err != nil {
		unix.Close(fd)
		os.Remove(path)
		return nil, fmt.Errorf("mapping a %d-byte buffer: %w", size, err)
	}
	for i := range buf {
		buf[i] = byte(i*7 + 1)
	}
	return &File{Path: path, Devices: devs, WriteCache: cache, fd: fd, buf: buf}, nil
}

func (f *File) close() {
	unix.Close(f.fd)
	unix.Munmap(f.buf)
	os.Remove(f.Path)
}

// WriteSync writes the whole file at offset 0 and fsyncs it.
func (f *File) WriteSync(tb testing.TB) Span {
	tb.Helper()
	return f.onThread(tb, func() error {
		if err := f.Overwrite(); err != nil {
			return err
		}
		if err := unix.Fsync(f.fd); err != nil {
			return fmt.Errorf("fsync %s: %w", f.Path, err)
		}
		return nil
	})
}

// Overwrite writes the whole file at offset 0 on the calling thread, with
// no fsync: a loop of device writes for benchmarks.
func (f *File) Overwrite() error {
	if n, err := unix.Pwrite(f.fd, f.buf, 0); err != nil || n != len(f.buf) {
		return fmt.Errorf("writing %s: %d bytes, %v", f.Path, n, err)
	}
	return nil
}

// Read reads the whole file back from the device.
func (f *File) Read(tb testing.TB) Span {
	tb.Helper()
	return f.onThread(tb, func() error {
		if n, err := unix.Pread(f.fd, f.buf, 0); err != nil || n != len(f.buf) {
			return fmt.Errorf("reading %s: %d bytes, %v", f.Path, n, err)
		}
		return nil
	})
}

// onThread runs io on a thread of its own: the goroutine ends locked, so
// the thread exits with it and no later span shares its TID.
func (f *File) onThread(tb testing.TB, io func() error) Span {
	tb.Helper()
	type result struct {
		s   Span
		err error
	}
	done := make(chan result)
	go func() {
		runtime.LockOSThread()
		s := Span{PID: uint32(os.Getpid()), TID: uint32(unix.Gettid()), StartNs: time.Now().UnixNano()}
		err := io()
		s.EndNs = time.Now().UnixNano()
		done <- result{s, err}
	}()
	r := <-done
	if r.err != nil {
		tb.Fatal(r.err)
	}
	return r.s
}

// devicesUnder lists a block device, the devices it is built on and their
// whole disks, encoded as the records carry them, and whether one of the
// disks caches writes.
func devicesUnder(major, minor uint32) (map[uint64]bool, bool, error) {
	devs := map[uint64]bool{}
	cache := false
	var walk func(sys string, depth int) error
	walk = func(sys string, depth int) error {
		ma, mi, err := readDev(filepath.Join(sys, "dev"))
		if err != nil {
			return err
		}
		devs[uint64(ma)<<20|uint64(mi)] = true
		if _, err := os.Stat(filepath.Join(sys, "partition")); err == nil {
			sys = filepath.Dir(sys) // the whole disk
			if ma, mi, err = readDev(filepath.Join(sys, "dev")); err != nil {
				return err
			}
			devs[uint64(ma)<<20|uint64(mi)] = true
		}
		if wc, err := os.ReadFile(filepath.Join(sys, "queue", "write_cache")); err == nil && strings.TrimSpace(string(wc)) == "write back" {
			cache = true
		}
		slaves, _ := os.ReadDir(filepath.Join(sys, "slaves"))
		for _, s := range slaves {
			if depth > 8 {
				return errors.New("device stack deeper than 8")
			}
			p, err := filepath.EvalSymlinks(filepath.Join(sys, "slaves", s.Name()))
			if err != nil {
				return err
			}
			if err := walk(p, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	sys, err := filepath.EvalSymlinks(fmt.Sprintf("/sys/dev/block/%d:%d", major, minor))
	if err != nil {
		return nil, false, fmt.Errorf("device %d:%d is not a block device: %w", major, minor, err)
	}
	if err := walk(sys, 0); err != nil {
		return nil, false, err
	}
	return devs, cache, nil
}

func readDev(path string) (major, minor uint32, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, err
	}
	ma, mi, ok := strings.Cut(strings.TrimSpace(string(b)), ":")
	x, err1 := strconv.ParseUint(ma, 10, 32)
	y, err2 := strconv.ParseUint(mi, 10, 32)
	if !ok || err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("%s: unreadable device number %q", path, b)
	}
	return uint32(x), uint32(y), nil
}
