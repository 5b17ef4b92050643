package cudalib

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Library is one CUDA library file mapped by at least one process.
type Library struct {
	Path       string // opens the file from here; "" when no way to it was found
	MappedPath string // the path in the first mapping process's maps
	Deleted    bool   // the mapped file was deleted or replaced after mapping
	Kind       Kind
	Dev        uint64 // st_dev encoding
	Inode      uint64
	PIDs       []int // processes that map it, ascending
}

// ID is the library's device and inode.
func (l *Library) ID() FileID { return FileID{l.Dev, l.Inode} }

// Process is a process that maps at least one CUDA library.
type Process struct {
	PID       int
	UID       int    // real uid
	User      string // UID's name, "" when unknown
	Comm      string
	Cmdline   string // arguments joined by spaces
	Libraries []*Library
}

// Snapshot is what one scan found.
type Snapshot struct {
	Processes []*Process // ascending PID
	Libraries []*Library // in order of first sight, scanning PIDs upward
	Denied    []int      // processes whose maps could not be read (not root)
}

// Scanner reads a /proc tree.
type Scanner struct {
	Proc       string               // "/proc" when empty
	LookupUser func(uid int) string // os/user when nil
}

// Scan reads the real /proc.
func Scan() (*Snapshot, error) { return (&Scanner{}).Scan() }

func (s *Scanner) proc() string {
	if s.Proc == "" {
		return "/proc"
	}
	return s.Proc
}

// PIDs lists the processes in the tree.
func (s *Scanner) PIDs() ([]int, error) {
	entries, err := os.ReadDir(s.proc())
	if err != nil {
		return nil, fmt.Errorf("listing processes: %w", err)
	}
	var pids []int
	for _, e := range entries {
		if pid, err := strconv.Atoi(e.Name()); err == nil && pid > 0 {
			pids = append(pids, pid)
		}
	}
	slices.Sort(pids)
	return pids, nil
}

// Scan reads every process.
func (s *Scanner) Scan() (*Snapshot, error) {
	pids, err := s.PIDs()
	if err != nil {
		return nil, err
	}
	return s.ScanPIDs(pids)
}

// ScanPIDs reads only the given processes, such as those new since the
// last scan. Processes that are gone, or map no CUDA library, are left out.
func (s *Scanner) ScanPIDs(pids []int) (*Snapshot, error) {
	snap := &Snapshot{}
	byID := map[FileID]*Library{}
	users := map[int]string{}
	mr := newMapsReader()
	for _, pid := range slices.Sorted(slices.Values(pids)) {
		maps, err := s.readProcessMaps(mr, pid)
		if errors.Is(err, fs.ErrPermission) {
			snap.Denied = append(snap.Denied, pid)
			continue
		}
		if err != nil || len(maps) == 0 {
			continue // gone, a kernel thread, or no CUDA
		}
		p := &Process{PID: pid}
		if !s.readIdentity(p, users) {
			continue
		}
		for _, m := range maps {
			lib := byID[m.id]
			if lib == nil {
				lib = &Library{MappedPath: m.path, Deleted: m.deleted, Kind: m.kind, Dev: m.id.Dev, Inode: m.id.Inode}
				lib.Path = s.resolve(pid, m)
				byID[m.id] = lib
				snap.Libraries = append(snap.Libraries, lib)
			} else if lib.Path == "" {
				lib.Path = s.resolve(pid, m) // another process may offer a way in
			}
			if !slices.Contains(p.Libraries, lib) {
				p.Libraries = append(p.Libraries, lib)
				lib.PIDs = append(lib.PIDs, pid)
			}
		}
		snap.Processes = append(snap.Processes, p)
	}
	return snap, nil
}

func (s *Scanner) readProcessMaps(mr *mapsReader, pid int) ([]mapping, error) {
	f, err := os.Open(filepath.Join(s.proc(), strconv.Itoa(pid), "maps"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return mr.read(f)
}

// readIdentity fills uid, user, comm and cmdline; false when the process
// went away meanwhile.
func (s *Scanner) readIdentity(p *Process, users map[int]string) bool {
	dir := filepath.Join(s.proc(), strconv.Itoa(p.PID))
	status, err := os.ReadFile(filepath.Join(dir, "status"))
	if err != nil {
		return false
	}
	for line := range strings.Lines(string(status)) {
		if rest, ok := strings.CutPrefix(line, "Uid:"); ok {
			if f := strings.Fields(rest); len(f) > 0 {
				p.UID, _ = strconv.Atoi(f[0])
			}
			break
		}
	}
	name, ok := users[p.UID]
	if !ok {
		name = s.userName(p.UID)
		users[p.UID] = name
	}
	p.User = name
	comm, _ := os.ReadFile(filepath.Join(dir, "comm"))
	p.Comm = strings.TrimSpace(string(comm))
	cmdline, _ := os.ReadFile(filepath.Join(dir, "cmdline"))
	p.Cmdline = strings.TrimSpace(strings.ReplaceAll(string(cmdline), "\x00", " "))
	return true
}

func (s *Scanner) userName(uid int) string {
	if s.LookupUser != nil {
		return s.LookupUser(uid)
	}
	u, err := user.LookupId(strconv.Itoa(uid))
	if err != nil {
		return ""
	}
	return u.Username
}

// resolve finds a path that opens m's file from this mount namespace.
func (s *Scanner) resolve(pid int, m mapping) string {
	pidDir := filepath.Join(s.proc(), strconv.Itoa(pid))
	inRoot := filepath.Join(pidDir, "root", m.path)
	mapFile := filepath.Join(pidDir, "map_files", fmt.Sprintf("%x-%x", m.lo, m.hi))
	if m.deleted {
		// The name now leads to another file, or to none.
		if exists(mapFile) {
			return mapFile
		}
		return ""
	}
	for _, p := range []string{m.path, inRoot} {
		if sameFile(p, m.id) {
			return p
		}
	}
	// Overlay filesystems report another device (and at times inode) to
	// stat than to maps: trust the process's own view of the path.
	for _, p := range []string{inRoot, m.path, mapFile} {
		if exists(p) {
			return p
		}
	}
	return ""
}

func sameFile(path string, id FileID) bool {
	fi, err := os.Stat(path)
	if err != nil {
		return false
	}
	got, ok := fileID(fi)
	return ok && got == id
}

func exists(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}
