//go:build linux && !tcpaudit_portable

package audit

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// fdScanner lists the socket inodes of one process's descriptors, reading
// <pid>/fd with getdents64 and readlinkat into two reused buffers, so a
// scan of a process with 100000 descriptors allocates nothing per
// descriptor.
type fdScanner struct {
	dents []byte
	link  []byte
	// denied is set when a link could not be read for lack of permission
	// (a process the caller may not ptrace, even as root).
	denied bool
}

func newFDScanner() *fdScanner {
	return &fdScanner{dents: make([]byte, 32*1024), link: make([]byte, 256)}
}

// sockets calls visit with the inode of every socket among the
// descriptors in dir (a <pid>/fd directory). Errors are errno values
// wrapped with the path, so errors.Is(err, fs.ErrPermission) works; links
// that could not be read for lack of permission are reported that way
// after the readable ones were visited.
func (s *fdScanner) sockets(dir string, visit func(ino uint64)) error {
	s.denied = false
	dfd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open %s: %w", dir, err)
	}
	defer unix.Close(dfd)
	for {
		n, err := unix.Getdents(dfd, s.dents)
		if err != nil {
			return fmt.Errorf("read %s: %w", dir, err)
		}
		if n <= 0 {
			if s.denied {
				return fmt.Errorf("readlink in %s: %w", dir, unix.EACCES)
			}
			return nil
		}
		for b := s.dents[:n]; len(b) >= 19; {
			// struct linux_dirent64: ino u64, off s64, reclen u16, type u8, name.
			reclen := int(binary.NativeEndian.Uint16(b[16:18]))
			if reclen < 19 || reclen > len(b) {
				return fmt.Errorf("read %s: bad directory entry length %d", dir, reclen)
			}
			name := b[19:reclen]
			b = b[reclen:]
			if name[0] == '.' {
				continue
			}
			if ino, ok := s.socket(dfd, name); ok {
				visit(ino)
			}
		}
	}
}

// socket reads one link; name is NUL-terminated inside the dirent buffer,
// which is passed to readlinkat as is (no string conversion, no copy).
func (s *fdScanner) socket(dfd int, name []byte) (uint64, bool) {
	if bytes.IndexByte(name, 0) < 0 {
		return 0, false
	}
	r, _, errno := unix.Syscall6(unix.SYS_READLINKAT, uintptr(dfd), uintptr(unsafe.Pointer(&name[0])),
		uintptr(unsafe.Pointer(&s.link[0])), uintptr(len(s.link)), 0, 0)
	if errno == unix.EACCES || errno == unix.EPERM {
		s.denied = true
	}
	if errno != 0 {
		return 0, false // closed since getdents, or denied: skip
	}
	return socketInodeBytes(s.link[:r])
}
