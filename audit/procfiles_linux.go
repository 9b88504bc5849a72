//go:build linux && !tcpaudit_portable

package audit

import (
	"bytes"
	"io/fs"
	"path/filepath"

	"golang.org/x/sys/unix"

	"github.com/tcpaudit/tcpaudit/internal/input"
)

// dirFDs holds the directories readAt opened, -1 for one that could not
// be.
type dirFDs map[string]int

// readAt reads a file under the live /proc/sys with openat(2) relative to
// its directory, opened once, and one pread(2) at offset 0: a sysctl's
// handler prints the whole value into the buffer of the first read, and
// many print nothing at a later offset (docs/kernel-facts.md §40), so a
// value read in pieces would be cut. A read that fills the buffer is read
// again from 0 with a buffer twice as large. It answers ok false when it
// cannot tell, for readSmall to read the file and say why: its directory
// did not open, the file did not open for a reason but absence, the read
// failed or was empty, or the value is larger than input.MaxSmall. A
// missing file is the error os.Open gives, naming the path.
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
	for {
		n, err := unix.Pread(fd, p.buf, 0)
		if err != nil || n <= 0 || len(p.buf) > input.MaxSmall {
			return fileRead{}, false
		}
		if n < len(p.buf) {
			return fileRead{b: bytes.Clone(p.buf[:n])}, true
		}
		p.buf = make([]byte, 2*len(p.buf)) // cut: read again from 0, whole
	}
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
