//go:build unix

package config

import (
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// checkOwner refuses a configuration file that someone other than root and
// the invoking user could have written: one owned by another user, or
// writable by its group or by others (what git's safe.directory and sudoers
// refuse). Such a file could turn a finding into a pass for whoever runs
// tcpaudit.
func checkOwner(path string, st fs.FileInfo) error {
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	if uid := uint32(os.Geteuid()); sys.Uid != 0 && sys.Uid != uid {
		return fmt.Errorf("config %s: refused: owned by uid %d, not by root or by the invoking user (uid %d)", path, sys.Uid, uid)
	}
	if st.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("config %s: refused: writable by its group or by others (mode %04o)", path, st.Mode().Perm())
	}
	return nil
}
