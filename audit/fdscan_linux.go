//go:build linux && !tcpaudit_portable

package audit

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"path/filepath"
	"strconv"
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

// kcmpFiles is KCMP_FILES (include/uapi/linux/kcmp.h): kcmp(2) compares
// two tasks' descriptor tables.
const kcmpFiles = 2

// threadTables returns the fd directories, under /proc/PID/task, of the
// threads of process pid whose descriptor table is neither the process's
// nor one returned before: a thread that called unshare(CLONE_FILES) has a
// table of its own, and a leader that ended with pthread_exit has none,
// its threads keeping theirs (docs/kernel-facts.md §54). The kernel
// compares the tables (kcmp, which needs the right to ptrace both);
// threads it cannot compare are left out. root must be the live /proc.
func (s *fdScanner) threadTables(root string, pid int) []string {
	dir := filepath.Join(root, strconv.Itoa(pid), "task")
	dfd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil
	}
	defer unix.Close(dfd)
	var tids []int
	for {
		n, err := unix.Getdents(dfd, s.dents)
		if err != nil || n <= 0 {
			break
		}
		for b := s.dents[:n]; len(b) >= 19; {
			reclen := int(binary.NativeEndian.Uint16(b[16:18]))
			if reclen < 19 || reclen > len(b) {
				return nil
			}
			name, _, _ := bytes.Cut(b[19:reclen], []byte{0})
			b = b[reclen:]
			if tid, err := strconv.Atoi(string(name)); err == nil && tid != pid {
				tids = append(tids, tid)
			}
		}
	}
	var dirs []string
	tables := []int{pid}
	for _, tid := range tids {
		same := false
		for _, other := range tables {
			r, _, errno := unix.Syscall6(unix.SYS_KCMP, uintptr(other), uintptr(tid), kcmpFiles, 0, 0, 0)
			if errno == unix.ENOSYS || errno == unix.EPERM {
				return dirs // no kcmp here, or not allowed: the process's table only
			}
			if errno != 0 || r == 0 {
				same = true // the same table, or the thread is gone
				break
			}
		}
		if !same {
			tables = append(tables, tid)
			dirs = append(dirs, filepath.Join(dir, strconv.Itoa(tid), "fd"))
		}
	}
	return dirs
}
