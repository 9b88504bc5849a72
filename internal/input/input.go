// Package input opens the files tcpaudit reads from trees a user names
// (a proc root, a sysctl.d root, profile and configuration files): only
// regular files, since a FIFO or a device would block the read forever,
// and only up to a size limit, so a hostile file cannot exhaust memory.
package input

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
)

// Size limits of the files read whole.
const (
	// MaxSmall bounds a one-value file: a sysctl, sys/kernel/osrelease,
	// <pid>/comm. The longest real sysctl values (ip_local_reserved_ports
	// with every port listed one by one) stay far below it.
	MaxSmall = 1 << 20
	// MaxConfig bounds a profile or configuration file.
	MaxConfig = 1 << 20
)

// ErrNotRegular marks a path that is not a regular file (a FIFO, a
// device, a socket or a directory).
var ErrNotRegular = errors.New("not a regular file")

// ErrTooLarge marks a file larger than the limit it is read with.
var ErrTooLarge = errors.New("file too large")

// Open opens path for reading if it is a regular file. It opens without
// blocking, so a FIFO with no writer is refused instead of hanging.
func Open(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, &os.PathError{Op: "open", Path: path, Err: fmt.Errorf("%w (%s)", ErrNotRegular, kind(st.Mode()))}
	}
	return f, nil
}

func kind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&os.ModeNamedPipe != 0:
		return "a FIFO"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeDevice != 0:
		return "a device"
	}
	return m.Type().String()
}

// ReadFile reads a whole regular file of at most max bytes. Files under
// /proc report size 0, so the limit is enforced while reading.
func ReadFile(path string, max int64) ([]byte, error) {
	f, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(Limit(f, path, max))
	if err != nil {
		return nil, err
	}
	return b, nil
}

// Limit returns a reader of r that fails with ErrTooLarge once more than
// max bytes were read; the error names path unless it is "" (when the
// caller names the file itself).
func Limit(r io.Reader, path string, max int64) io.Reader {
	return &limited{r: r, path: path, left: max + 1, max: max}
}

type limited struct {
	r    io.Reader
	path string
	left int64
	max  int64
}

func (l *limited) Read(p []byte) (int, error) {
	if l.left <= 0 {
		return 0, l.tooLarge()
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if l.left <= 0 { // max+1 bytes read: hand back max of them
		return n - 1, l.tooLarge()
	}
	return n, err
}

func (l *limited) tooLarge() error {
	err := fmt.Errorf("%w (over %s)", ErrTooLarge, size(l.max))
	if l.path == "" {
		return err
	}
	return &os.PathError{Op: "read", Path: l.path, Err: err}
}

func size(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}
