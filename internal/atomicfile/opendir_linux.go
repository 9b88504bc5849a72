package atomicfile

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// openDir opens root/rel with openat2: RESOLVE_BENEATH keeps the lookup
// under root, RESOLVE_NO_SYMLINKS refuses a symlink in any component. On a
// kernel older than 5.6 it walks with O_NOFOLLOW.
func openDir(root, rel string) (int, error) {
	rfd, err := unix.Open(root, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("open %s: %w", root, err)
	}
	defer unix.Close(rfd)
	how := unix.OpenHow{
		Flags:   unix.O_RDONLY | unix.O_DIRECTORY | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_SYMLINKS,
	}
	fd, err := unix.Openat2(rfd, rel, &how)
	if errors.Is(err, unix.ENOSYS) {
		return walkDir(root, rel)
	}
	if err != nil {
		return -1, fmt.Errorf("open %s under %s without following a symlink: %w", rel, root, err)
	}
	return fd, nil
}
