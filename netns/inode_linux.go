//go:build linux

package netns

import (
	"errors"
	"fmt"
	"path/filepath"

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
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	if sfs.Type != unix.NSFS_MAGIC {
		return 0, fmt.Errorf("%s: not a namespace (%s)", path, notNsfs(path, st))
	}
	return st.Ino, nil
}

// notNsfs says what path is instead of an nsfs file. An empty regular file
// directly under /run/netns is what a failed ip netns add leaves (the
// mount point made before the bind mount failed): only then is that said.
func notNsfs(path string, st unix.Stat_t) string {
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFDIR:
		return "a directory, not an nsfs file"
	case unix.S_IFREG:
		if st.Size == 0 && filepath.Dir(filepath.Clean(path)) == DefaultNetnsDir {
			return "an empty file, not an nsfs file: a name left by a failed ip netns add? ip netns delete removes it"
		}
		return "a regular file, not an nsfs file"
	}
	return "not an nsfs file"
}

// gone reports an error of a process that exited while it was read.
func gone(err error) bool { return errors.Is(err, unix.ESRCH) }
