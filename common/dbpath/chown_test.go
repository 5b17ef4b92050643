package dbpath

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"ingero.dev/common/testenv"
)

func requireRoot(t *testing.T) {
	t.Helper()
	testenv.RequireRoot(t, "changing file owners")
}

func owner(t *testing.T, p string) (uid, gid uint32) {
	t.Helper()
	info, err := os.Lstat(p)
	if err != nil {
		t.Fatal(err)
	}
	st := info.Sys().(*syscall.Stat_t)
	return st.Uid, st.Gid
}

// layout makes <tmp>/.ingero/ingero.db and its -wal file, owned by root.
func layout(t *testing.T) (db string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), DirName)
	db = filepath.Join(dir, FileName)
	if err := EnsureDir(db); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{db, db + "-wal"} {
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

func TestChownToSudoUser(t *testing.T) {
	requireRoot(t)
	clearEnv(t)
	db := layout(t)
	t.Setenv("SUDO_USER", "alice")
	t.Setenv("SUDO_UID", "4321")
	t.Setenv("SUDO_GID", "8765")
	if err := ChownToSudoUser(db); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{db, db + "-wal", filepath.Dir(db)} {
		if uid, gid := owner(t, p); uid != 4321 || gid != 8765 {
			t.Errorf("%s owned by %d:%d; want 4321:8765", p, uid, gid)
		}
	}
	// The temp dir above .ingero is not ours to give away.
	if uid, _ := owner(t, filepath.Dir(filepath.Dir(db))); uid != 0 {
		t.Errorf("parent of .ingero changed hands to %d", uid)
	}
}

func TestChownLeavesOthersFiles(t *testing.T) {
	requireRoot(t)
	clearEnv(t)
	db := layout(t)
	if err := os.Chown(db, 1111, 1111); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SUDO_UID", "4321")
	t.Setenv("SUDO_GID", "8765")
	if err := ChownToSudoUser(db); err != nil {
		t.Fatal(err)
	}
	if uid, _ := owner(t, db); uid != 1111 {
		t.Errorf("a file owned by 1111 moved to %d", uid)
	}
}

func TestChownLooksUpSudoUser(t *testing.T) {
	requireRoot(t)
	clearEnv(t)
	db := layout(t)
	t.Setenv("SUDO_USER", "root") // every Linux has it: uid 0, so nothing changes
	if err := ChownToSudoUser(db); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SUDO_USER", "no-such-user-ingero")
	if err := ChownToSudoUser(db); err == nil {
		t.Error("an unknown $SUDO_USER must be an error, not a silent skip")
	}
}

func TestChownWithoutSudoDoesNothing(t *testing.T) {
	clearEnv(t)
	dir := t.TempDir()
	db := filepath.Join(dir, FileName)
	if err := os.WriteFile(db, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	uid, gid := owner(t, db)
	if err := ChownToSudoUser(db); err != nil {
		t.Fatal(err)
	}
	if u, g := owner(t, db); u != uid || g != gid {
		t.Errorf("owner changed from %d:%d to %d:%d without sudo", uid, gid, u, g)
	}
}

func TestChownMissingFileIsFine(t *testing.T) {
	clearEnv(t)
	t.Setenv("SUDO_UID", "4321")
	t.Setenv("SUDO_GID", "8765")
	if err := ChownToSudoUser(filepath.Join(t.TempDir(), "none.db")); err != nil {
		t.Error(err)
	}
}
