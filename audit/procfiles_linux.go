//go:build linux && !tcpaudit_portable

package audit

import (
	"bytes"
	"io/fs"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// dirFDs holds the directories readAt opened, -1 for one that could not
// be.
type dirFDs map[string]int

// readAt reads a file under the live /proc/sys with openat(2) relative to
// its directory, opened once, and one read(2): a sysctl's handler prints
// the whole value in the first read (docs/kernel-facts.md §40). It answers
// ok false when it cannot tell, for readSmall to read the file and say
// why: its directory did not open, the file did not open for a reason but
// absence, or the read failed, was empty or filled the buffer. A missing
// file is the error os.Open gives, naming the path.
func (p *procFiles) readAt(path string) (fileRead, bool) {
	dir, base := filepath.Split(path)
	if p.dirs == nil {
		p.dirs = make(dirFDs)
	}
	dfd, seen := p.dirs[dir]
	if !seen {
		var err error
		if dfd, err = unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0); err != nil {
			dfd = -1
		}
		p.dirs[dir] = dfd
	}
	if dfd < 0 {
		return fileRead{}, false
	}
	fd, err := unix.Openat(dfd, base, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err == unix.ENOENT {
		return fileRead{err: &fs.PathError{Op: "open", Path: path, Err: err}}, true
	}
	if err != nil {
		return fileRead{}, false
	}
	defer unix.Close(fd)
	n, err := unix.Read(fd, p.buf)
	if err != nil || n <= 0 || n >= len(p.buf) {
		return fileRead{}, false
	}
	return fileRead{b: bytes.Clone(p.buf[:n])}, true
}

// close closes the directories.
func (d dirFDs) close() {
	for _, fd := range d {
		if fd >= 0 {
			unix.Close(fd)
		}
	}
	clear(d)
}
