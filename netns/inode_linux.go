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
	if kind := nsType(path); kind != "" {
		return 0, fmt.Errorf("%s: a %s namespace, not a network namespace", path, kind)
	}
	return st.Ino, nil
}

// nsTypeName names a namespace type of NS_GET_NSTYPE (a CLONE_NEW* flag).
func nsTypeName(t int) string {
	switch t {
	case unix.CLONE_NEWNS:
		return "mount"
	case unix.CLONE_NEWUTS:
		return "UTS"
	case unix.CLONE_NEWIPC:
		return "IPC"
	case unix.CLONE_NEWUSER:
		return "user"
	case unix.CLONE_NEWPID:
		return "PID"
	case unix.CLONE_NEWCGROUP:
		return "cgroup"
	case unix.CLONE_NEWTIME:
		return "time"
	}
	return fmt.Sprintf("0x%x", t)
}

// nsType returns the type of the nsfs file at path when it is known not to
// be a network namespace (ioctl NS_GET_NSTYPE, Linux 4.11; docs/kernel-facts.md
// §50), "" when it is one or its type cannot be told.
func nsType(path string) string {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NOCTTY, 0)
	if err != nil {
		return ""
	}
	defer unix.Close(fd)
	t, err := unix.IoctlRetInt(fd, unix.NS_GET_NSTYPE)
	if err != nil || t == unix.CLONE_NEWNET {
		return ""
	}
	return nsTypeName(t)
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
