// Package atomicfile writes the files tcpaudit is asked to write without
// ever turning what is at the name into something else: a regular file is
// replaced atomically (a temporary file in the same directory, flushed,
// renamed over it) so that readers never see a partial one; a device or a
// FIFO is written into; a descriptor name such as /dev/stdout writes to
// that descriptor; anything else is refused.
package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Write writes path through write, deciding by what is at path:
//   - nothing: a new file with mode 0644, renamed into place only when
//     write and the close succeed;
//   - a regular file: replaced the same way, keeping its mode (and its
//     owner, as root);
//   - a symlink: followed to its end, and the file there written as
//     described here, the link left as it is; a dangling link is refused;
//   - /dev/stdout, /dev/stderr, /dev/fd/N or /proc/self/fd/N: written to
//     that descriptor of this process, as a shell redirection would;
//   - a character device (/dev/null, a terminal) or a FIFO: opened for
//     writing, neither created nor truncated, and written into;
//   - a directory, a socket or a block device: refused.
//
// An error of write itself (the report's producer failed) is returned as it
// is, not as an error writing path: nothing was written.
func Write(path string, write func(io.Writer) error) error {
	produce := func(w io.Writer) error {
		if err := write(w); err != nil {
			return producerError{err}
		}
		return nil
	}
	if err := writeTo(path, produce); err != nil {
		if pe, ok := errors.AsType[producerError](err); ok {
			return pe.err
		}
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// producerError carries an error of Write's write function through the
// file's handling, so Write can tell it from an error writing the file.
type producerError struct{ err error }

func (e producerError) Error() string { return e.err.Error() }
func (e producerError) Unwrap() error { return e.err }

// writeTo writes the file path leads to, by its kind.
func writeTo(path string, write func(io.Writer) error) error {
	target, linked, err := follow(path)
	if err != nil {
		return err
	}
	if fd, ok := descriptor(target); ok {
		return writeFD(fd, target, write)
	}
	st, err := os.Lstat(target)
	switch {
	case errors.Is(err, fs.ErrNotExist) && linked:
		return fmt.Errorf("a symlink to %s, which does not exist: refused (name the file itself)", target)
	case errors.Is(err, fs.ErrNotExist):
		return replace(target, nil, write)
	case err != nil:
		return err
	case st.Mode().IsRegular():
		return replace(target, st, write)
	case st.Mode()&fs.ModeCharDevice != 0, st.Mode()&fs.ModeNamedPipe != 0:
		return writeInto(target, write)
	}
	return &RefusedError{Kind: kind(st.Mode())}
}

// RefusedError is the error of Write for a name it never writes to: a
// directory, a socket, a block device. Its text does not say what was to
// be written; a caller that knows can say it with Kind.
type RefusedError struct {
	// Kind is what is at the name, such as "a directory".
	Kind string
}

func (e *RefusedError) Error() string {
	return e.Kind + ": refused (only a regular file, a character device or a FIFO is written to)"
}

// maxLinks bounds the symlinks followed, as the kernel's MAXSYMLINKS does.
const maxLinks = 40

// follow resolves path through the symlinks it names, stopping at a
// descriptor name (whose link would name the open file, not a place to
// write). linked reports whether a symlink was followed.
func follow(path string) (target string, linked bool, err error) {
	p, err := filepath.Abs(path)
	if err != nil {
		return "", false, err
	}
	for range maxLinks {
		if _, ok := descriptor(p); ok {
			return p, linked, nil
		}
		st, err := os.Lstat(p)
		if err != nil || st.Mode()&fs.ModeSymlink == 0 {
			return p, linked, nil
		}
		t, err := os.Readlink(p)
		if err != nil {
			return "", false, err
		}
		if !filepath.IsAbs(t) {
			t = filepath.Join(filepath.Dir(p), t)
		}
		p, linked = filepath.Clean(t), true
	}
	return "", false, errors.New("too many levels of symbolic links")
}

// kind names a file mode that is not written to.
func kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a block device"
	}
	return "not a regular file (" + strings.TrimLeft(m.Type().String(), "-") + ")"
}

// replace writes path atomically: a temporary file in its directory with
// the mode and owner of old (0644 when old is nil), flushed, renamed over
// path only when write and the close succeed.
func replace(path string, old fs.FileInfo, write func(io.Writer) error) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-")
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("directory %s does not exist", dir)
	}
	if err != nil {
		return fmt.Errorf("create a file in %s: %w", dir, err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly after the rename
	err = write(tmp)
	if err == nil {
		err = keepMode(tmp, old)
	}
	if err == nil {
		// Flushed before the rename, so a crash leaves the old file or
		// the new one, never an empty file under the name.
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	return err
}

// keepMode gives tmp the permission bits and owner of old, or 0644.
func keepMode(tmp *os.File, old fs.FileInfo) error {
	if old == nil {
		return tmp.Chmod(0o644)
	}
	if err := tmp.Chmod(old.Mode().Perm()); err != nil {
		return err
	}
	return keepOwner(tmp, old)
}

// writeInto writes into a character device or a FIFO: opened for writing
// only (a FIFO waits for its reader, as it does for any writer), never
// created or truncated. A file that became a regular one between the look
// and the open is left alone.
func writeInto(path string, write func(io.Writer) error) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	st, err := f.Stat()
	if err == nil && st.Mode().IsRegular() {
		err = errors.New("became a regular file while it was opened: not written")
	}
	if err == nil {
		err = write(f)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Replace writes data to file the same way, keeping the mode and owner of
// the file it replaces (0644 for a new file) and the previous version as
// FILE.bak, a hard link. It returns the backup's name, "" when there was
// no file. A symlink as file is refused, never followed.
func Replace(file, data string) (backup string, err error) {
	return ReplaceBeneath(filepath.Dir(file), file, data)
}

// ReplaceBeneath is Replace for a file under the directory root: every
// component of file's directory below root is opened without following a
// symlink (openat2 with RESOLVE_BENEATH and RESOLVE_NO_SYMLINKS on Linux,
// an O_NOFOLLOW walk on other Unix systems), so a link planted in the tree
// cannot redirect the write outside it; the directory is synced after the
// rename so that the rename survives a crash.
func ReplaceBeneath(root, file, data string) (backup string, err error) {
	rel, err := beneath(root, file)
	if err != nil {
		return "", err
	}
	backup, err = replaceIn(root, rel, filepath.Base(file), data)
	if err != nil {
		return "", fmt.Errorf("%s: %w", file, err)
	}
	if backup != "" {
		backup = file + ".bak"
	}
	return backup, nil
}

// beneath returns the directory of file relative to root, refusing a file
// outside root with the name it would have inside it.
func beneath(root, file string) (string, error) {
	absRoot, err := filepath.Abs(root)
	if err != nil {
		return "", err
	}
	absFile, err := filepath.Abs(file)
	if err != nil {
		return "", err
	}
	rel, err := filepath.Rel(absRoot, filepath.Dir(absFile))
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("%s is not under %s (name the file with the root: %s)", file, root, filepath.Join(root, file))
	}
	return rel, nil
}
