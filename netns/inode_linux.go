//go:build linux

package netns

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// nsfsInode returns the inode of the namespace a path holds: an nsfs bind
// mount (/run/netns/NAME) or a <pid>/ns/net link, which stat follows.
// Anything else is an error naming the path.
func nsfsInode(path string) (uint64, error) {
	var sfs unix.Statfs_t
	if err := unix.Statfs(path, &sfs); err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	if sfs.Type != unix.NSFS_MAGIC {
		return 0, fmt.Errorf("%s: not a namespace (not an nsfs file; a name left by a failed ip netns add?)", path)
	}
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	return st.Ino, nil
}

// gone reports an error of a process that exited while it was read.
func gone(err error) bool { return errors.Is(err, unix.ESRCH) }
