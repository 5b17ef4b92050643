package demo

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"unsafe"

	"ingero.dev/common/memcg"
)

// confinement is the contention scenario's memory squeeze, made real for
// the training loop alone: a memory cgroup whose memory.max lets a third
// of the loop's working set stay resident, and swap to page the rest to.
// Only the loop's own memory is charged there (a process moved into a
// group keeps its earlier charges; the working set comes after), so only
// it reclaims and swaps, and the host's other work keeps its memory. When
// the host has no swap, the demo makes a swap file for the run and removes
// it after; when swap cannot be had (no root, a filesystem without swap
// files), the working set is a memory-mapped file instead, which the
// kernel pages out and reads back the same way.
type confinement struct {
	group *memcg.Group
	swap  string // the swap file the demo made and enabled, "" if none
	// dataDir, when set, holds the loop's working set as a file: no swap.
	dataDir string
}

// confine makes the cgroup for a loop whose working set is ws bytes, and
// the swap (a file in dir, on a disk) when the host has none.
func confine(dir string, ws int64, say io.Writer) (*confinement, error) {
	g, err := memcg.New(fmt.Sprintf("ingero-demo-%d", os.Getpid()), ws/3)
	if err != nil {
		return nil, fmt.Errorf("the contention scenario confines its loop in a memory cgroup: %w", err)
	}
	c := &confinement{group: g}
	switch on, err := swapEnabled(); {
	case err != nil:
		return nil, errors.Join(err, c.close())
	case on:
		fmt.Fprintf(say, "the loop may use %s of memory (%s) for a %s working set; the host's swap takes the rest\n",
			mib(ws/3), g.LimitFile(), mib(ws))
	default:
		path := filepath.Join(dir, "ingero-demo.swap")
		if err := makeSwap(path, ws); err != nil {
			c.dataDir = dir
			fmt.Fprintf(say, "no swap on this host and none could be made (%v): the loop's %s working set is a memory-mapped file, paged out and read back instead\n", err, mib(ws))
			break
		}
		c.swap = path
		fmt.Fprintf(say, "the loop may use %s of memory (%s) for a %s working set; %s is swap for this run (removed after)\n",
			mib(ws/3), g.LimitFile(), mib(ws), path)
	}
	return c, nil
}

func mib(n int64) string { return fmt.Sprintf("%d MiB", n>>20) }

// add moves the loop into the group before its working set exists.
func (c *confinement) add(pid int) error { return c.group.Add(pid) }

// close removes the group and the swap file the demo made. It runs on every
// way out of a real scenario (its defer; an interrupt cancels the run,
// which returns through it).
func (c *confinement) close() error {
	err := c.group.Close()
	if c.swap != "" {
		err = errors.Join(err, swapOff(c.swap))
		if rmErr := os.Remove(c.swap); rmErr != nil && !errors.Is(rmErr, os.ErrNotExist) {
			err = errors.Join(err, rmErr)
		}
		c.swap = ""
	}
	return err
}

// swapEnabled says whether the host has swap on (/proc/swaps lists more
// than its header).
func swapEnabled() (bool, error) {
	f, err := os.Open("/proc/swaps")
	if err != nil {
		return false, fmt.Errorf("reading /proc/swaps: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) != "" {
			n++
		}
	}
	return n > 1, sc.Err()
}

// makeSwap writes a swap file of n bytes (every block written: swapon
// refuses holes), puts the swap header on it as mkswap does, and enables
// it. A file it could not enable is removed.
func makeSwap(path string, n int64) (err error) {
	page := int64(os.Getpagesize())
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.Remove(path)
		}
	}()
	zero := make([]byte, 1<<20)
	for done := int64(0); done < n; done += int64(len(zero)) {
		if _, err := f.Write(zero[:min(int64(len(zero)), n-done)]); err != nil {
			f.Close()
			return err
		}
	}
	// struct swap_header: version 1, last page, no bad pages, at 1024;
	// the "SWAPSPACE2" signature ends the first page.
	hdr := make([]byte, page)
	binary.LittleEndian.PutUint32(hdr[1024:], 1)
	binary.LittleEndian.PutUint32(hdr[1028:], uint32(n/page-1))
	copy(hdr[page-10:], "SWAPSPACE2")
	if _, err := f.WriteAt(hdr, 0); err != nil {
		f.Close()
		return err
	}
	if err := errors.Join(f.Sync(), f.Close()); err != nil {
		return err
	}
	return swapCall(syscall.SYS_SWAPON, path, "swapon")
}

func swapOff(path string) error { return swapCall(syscall.SYS_SWAPOFF, path, "swapoff") }

func swapCall(nr uintptr, path, what string) error {
	p, err := syscall.BytePtrFromString(path)
	if err != nil {
		return err
	}
	if _, _, errno := syscall.Syscall(nr, uintptr(unsafe.Pointer(p)), 0, 0); errno != 0 {
		return fmt.Errorf("%s %s: %w", what, path, errno)
	}
	return nil
}
