package dbpath

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
)

// sidecars are the files SQLite keeps next to a database. A reader
// needs write access to -shm, so they must change hands too.
var sidecars = []string{"-wal", "-shm", "-journal"}

// EnsureDir creates the directory that will hold path and, under sudo,
// hands a new ~/.ingero to the invoking user.
func EnsureDir(path string) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating database directory: %w", err)
	}
	return chownIfRootOwned(dir)
}

// ChownToSudoUser gives a file that root wrote under sudo to the user who
// ran sudo, so that commands run without sudo can read it later. It
// changes the file, its SQLite sidecars and its .ingero directory, but
// only those that root owns: a file someone else already owns is left
// alone. Without root or sudo it does nothing.
func ChownToSudoUser(path string) error {
	targets := []string{path}
	for _, s := range sidecars {
		targets = append(targets, path+s)
	}
	if dir := filepath.Dir(path); filepath.Base(dir) == DirName {
		targets = append(targets, dir)
	}
	for _, p := range targets {
		if err := chownIfRootOwned(p); err != nil {
			return err
		}
	}
	return nil
}

func chownIfRootOwned(path string) error {
	uid, gid, ok, err := sudoIDs()
	if err != nil || !ok {
		return err
	}
	info, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("handing %s to the sudo user: %w", path, err)
	}
	if st, isUnix := info.Sys().(*syscall.Stat_t); !isUnix || st.Uid != 0 {
		return nil
	}
	if err := os.Lchown(path, uid, gid); err != nil {
		return fmt.Errorf("handing %s to the sudo user: %w", path, err)
	}
	return nil
}

// sudoIDs returns the invoking user's ids when this process is root
// under sudo: from $SUDO_UID and $SUDO_GID, which sudo sets, else by
// looking up $SUDO_USER.
func sudoIDs() (uid, gid int, ok bool, err error) {
	if os.Geteuid() != 0 {
		return 0, 0, false, nil
	}
	if u, g := os.Getenv("SUDO_UID"), os.Getenv("SUDO_GID"); u != "" && g != "" {
		uid, err1 := strconv.Atoi(u)
		gid, err2 := strconv.Atoi(g)
		if err := errors.Join(err1, err2); err != nil {
			return 0, 0, false, fmt.Errorf("reading $SUDO_UID/$SUDO_GID: %w", err)
		}
		return uid, gid, true, nil
	}
	name := os.Getenv("SUDO_USER")
	if name == "" {
		return 0, 0, false, nil
	}
	u, err := user.Lookup(name)
	if err != nil {
		return 0, 0, false, fmt.Errorf("looking up $SUDO_USER: %w", err)
	}
	uid, err1 := strconv.Atoi(u.Uid)
	gid, err2 := strconv.Atoi(u.Gid)
	if err := errors.Join(err1, err2); err != nil {
		return 0, 0, false, fmt.Errorf("reading ids of $SUDO_USER %s: %w", name, err)
	}
	return uid, gid, true, nil
}
