//go:build unix

package atomicfile

import (
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// replaceIn replaces name in the directory root/rel, opened without
// following a symlink below root, working on the directory's descriptor
// from there on.
func replaceIn(root, rel, name, data string) (string, error) {
	dirfd, err := openDir(root, rel)
	if err != nil {
		return "", err
	}
	defer unix.Close(dirfd)
	var old unix.Stat_t
	exists := true
	if err := unix.Fstatat(dirfd, name, &old, unix.AT_SYMLINK_NOFOLLOW); errors.Is(err, unix.ENOENT) {
		exists = false
	} else if err != nil {
		return "", err
	} else if uint32(old.Mode)&unix.S_IFMT != unix.S_IFREG {
		return "", errors.New("not a regular file (a symlink is not followed)")
	}
	tmp, err := writeTemp(dirfd, name, data, exists, &old)
	defer unix.Unlinkat(dirfd, tmp, 0) //nolint:errcheck // fails harmlessly after the rename
	if err != nil {
		return "", err
	}
	backup := ""
	if exists {
		backup = name + ".bak"
		if err := unix.Unlinkat(dirfd, backup, 0); err != nil && !errors.Is(err, unix.ENOENT) {
			return "", fmt.Errorf("remove %s: %w", backup, err)
		}
		if err := unix.Linkat(dirfd, name, dirfd, backup, 0); err != nil {
			return "", fmt.Errorf("keep %s: %w", backup, err)
		}
	}
	if err := unix.Renameat(dirfd, tmp, dirfd, name); err != nil {
		return "", fmt.Errorf("rename: %w", err)
	}
	// The rename is in the directory: sync it so it survives a crash.
	if err := unix.Fsync(dirfd); err != nil {
		return "", fmt.Errorf("sync the directory: %w", err)
	}
	return backup, nil
}

// writeTemp writes data to a new temporary file in dirfd with the mode and
// owner of old (0644 when !exists), synced, and returns its name.
func writeTemp(dirfd int, name, data string, exists bool, old *unix.Stat_t) (string, error) {
	tmp := "." + name + ".tmp" + strings.ToLower(rand.Text()[:8])
	fd, err := unix.Openat(dirfd, tmp, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return tmp, fmt.Errorf("create a temporary file: %w", err)
	}
	f := os.NewFile(uintptr(fd), tmp)
	_, err = f.WriteString(data)
	mode := os.FileMode(0o644)
	if exists {
		mode = os.FileMode(uint32(old.Mode) & 0o777)
	}
	if err == nil {
		err = f.Chmod(mode)
	}
	if err == nil && exists {
		if st, serr := f.Stat(); serr == nil {
			if cur, ok := st.Sys().(*unix.Stat_t); !ok || cur.Uid != old.Uid || cur.Gid != old.Gid {
				err = f.Chown(int(old.Uid), int(old.Gid))
			}
		}
	}
	if err == nil {
		// Flushed before the rename, so a crash leaves the old file or
		// the new one, never an empty file under the name.
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return tmp, err
}

// walkDir opens root/rel one component at a time with O_NOFOLLOW, so no
// symlink below root is followed.
func walkDir(root, rel string) (int, error) {
	fd, err := unix.Open(root, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("open %s: %w", root, err)
	}
	for _, c := range strings.Split(rel, "/") {
		if c == "" || c == "." {
			continue
		}
		next, err := unix.Openat(fd, c, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		unix.Close(fd)
		if err != nil {
			return -1, fmt.Errorf("open %s under %s without following a symlink: %w", rel, root, err)
		}
		fd = next
	}
	return fd, nil
}
