//go:build unix

package config

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// maxLinks bounds the symlinks followed, as the kernel's MAXSYMLINKS does.
const maxLinks = 40

// checkTrust refuses a configuration file that someone other than root and
// the invoking user could have written or swapped, the way ssh and sudo
// judge a path: the file, every directory its lookup passes through (those
// of each symlink on the way, and the symlinks' targets) must be owned by
// root or by the invoking user, the file writable by no one else, and a
// directory writable by its group or by others only when it has the sticky
// bit (as /tmp). Such a file could turn a finding into a pass for whoever
// runs tcpaudit. The error names the path and the check that failed.
func checkTrust(path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	cur, pending, links := "/", split(abs), 0
	for len(pending) > 0 {
		c := pending[0]
		pending = pending[1:]
		if c == ".." {
			cur = filepath.Dir(cur)
			continue
		}
		if err := checkDir(cur); err != nil {
			return fmt.Errorf("config %s: refused: %w", path, err)
		}
		next := filepath.Join(cur, c)
		st, err := os.Lstat(next)
		if err != nil {
			return fmt.Errorf("config %s: %w", path, err)
		}
		if st.Mode()&fs.ModeSymlink == 0 {
			cur = next
			continue
		}
		if links++; links > maxLinks {
			return fmt.Errorf("config %s: too many levels of symbolic links", path)
		}
		target, err := os.Readlink(next)
		if err != nil {
			return fmt.Errorf("config %s: %w", path, err)
		}
		if filepath.IsAbs(target) {
			cur = "/"
		}
		pending = append(split(target), pending...)
	}
	st, err := os.Stat(cur)
	if err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	if err := checkFile(cur, st); err != nil {
		return fmt.Errorf("config %s: refused: %w", path, err)
	}
	return nil
}

// split returns the components of a path, "." and empty ones left out.
func split(p string) []string {
	var out []string
	for _, c := range strings.Split(p, "/") {
		if c != "" && c != "." {
			out = append(out, c)
		}
	}
	return out
}

// checkDir refuses a directory owned by another user, or writable by its
// group or by others without the sticky bit: whoever can write it can put
// another file under the name.
func checkDir(dir string) error {
	st, err := os.Stat(dir)
	if err != nil {
		return err
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	if err := checkUID("directory "+dir, sys.Uid); err != nil {
		return err
	}
	if sys.Mode&0o022 != 0 && sys.Mode&syscall.S_ISVTX == 0 {
		return fmt.Errorf("directory %s is writable by its group or by others without the sticky bit (mode %04o)", dir, sys.Mode&0o7777)
	}
	return nil
}

// checkFile refuses a file owned by another user, or writable by its group
// or by others (what git's safe.directory and sudoers refuse). file is the
// path after every symlink.
func checkFile(file string, st fs.FileInfo) error {
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	if err := checkUID(file, sys.Uid); err != nil {
		return err
	}
	if st.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("%s is writable by its group or by others (mode %04o)", file, st.Mode().Perm())
	}
	return nil
}

// checkUID refuses an owner other than root and the invoking user.
func checkUID(what string, owner uint32) error {
	if uid := uint32(os.Geteuid()); owner != 0 && owner != uid {
		return fmt.Errorf("%s is owned by uid %d, not by root or by the invoking user (uid %d)", what, owner, uid)
	}
	return nil
}
