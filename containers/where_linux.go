package containers

import (
	"golang.org/x/sys/unix"
)

// isProcfs reports whether path is on a procfs mount.
func isProcfs(path string) bool {
	var st unix.Statfs_t
	return unix.Statfs(path, &st) == nil && st.Type == unix.PROC_SUPER_MAGIC
}

// nsInode returns the inode of an nsfs file (a /proc/PID/ns/net link, or
// a bind mount of one), which names the namespace
// (docs/kernel-facts.md §23).
func nsInode(path string) (uint64, bool) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFREG {
		return 0, false
	}
	var fs unix.Statfs_t
	if unix.Statfs(path, &fs) != nil || fs.Type != unix.NSFS_MAGIC {
		return 0, false
	}
	return st.Ino, true
}
