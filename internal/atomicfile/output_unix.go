//go:build unix

package atomicfile

import (
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// descriptor returns the descriptor a name of this process's open files
// stands for: /dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N,
// /proc/thread-self/fd/N or /proc/PID/fd/N with this process's PID.
func descriptor(path string) (int, bool) {
	switch path {
	case "/dev/stdout":
		return 1, true
	case "/dev/stderr":
		return 2, true
	}
	pid := "/proc/" + strconv.Itoa(os.Getpid()) + "/fd/"
	for _, dir := range []string{"/dev/fd/", "/proc/self/fd/", "/proc/thread-self/fd/", pid} {
		if n, ok := strings.CutPrefix(path, dir); ok {
			fd, err := strconv.Atoi(n)
			return fd, err == nil && fd >= 0
		}
	}
	return 0, false
}

// writeFD writes to a duplicate of descriptor fd, which shares its offset
// and its flags (O_APPEND of a shell's >>), so the output lands where the
// descriptor's owner decided; fd itself stays open.
func writeFD(fd int, name string, write func(io.Writer) error) error {
	dup, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return &fs.PathError{Op: "open", Path: name, Err: err}
	}
	f := os.NewFile(uintptr(dup), name)
	err = write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// keepOwner gives tmp the owner and group of old when they differ (only
// root may, and only root replaces another user's file).
func keepOwner(tmp *os.File, old fs.FileInfo) error {
	o, ok := old.Sys().(*unix.Stat_t)
	if !ok || os.Geteuid() != 0 {
		return nil
	}
	st, err := tmp.Stat()
	if err != nil {
		return err
	}
	if cur, ok := st.Sys().(*unix.Stat_t); ok && cur.Uid == o.Uid && cur.Gid == o.Gid {
		return nil
	}
	return tmp.Chown(int(o.Uid), int(o.Gid))
}
