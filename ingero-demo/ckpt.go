package demo

import (
	"errors"
	"os"
	"syscall"
)

const tmpfsMagic = 0x01021994

// checkpointDir is where periodic-spike's loop writes its checkpoint: a
// directory on a block device, for the fsync to wait on a disk (on tmpfs
// it returns at once and nothing is recorded). The kit's directory when
// it is on one, else a new directory in /var/tmp or the working directory.
func checkpointDir(kitDir string) (string, error) {
	if onDisk(kitDir) {
		return os.MkdirTemp(kitDir, "ckpt-")
	}
	for _, base := range []string{"/var/tmp", "."} {
		if onDisk(base) {
			return os.MkdirTemp(base, "ingero-demo-ckpt-")
		}
	}
	return "", errors.New("no directory on a disk for the checkpoint scenario: the temporary directory, /var/tmp and the working directory are all tmpfs")
}

func onDisk(dir string) bool {
	var fs syscall.Statfs_t
	return syscall.Statfs(dir, &fs) == nil && fs.Type != tmpfsMagic
}
