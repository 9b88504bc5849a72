//go:build unix

package atomicfile_test

import (
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/tcpaudit/tcpaudit/internal/atomicfile"
)

const report = "a report\n"

func writeReport(path string) error {
	return atomicfile.Write(path, func(w io.Writer) error {
		_, err := io.WriteString(w, report)
		return err
	})
}

// mknod makes a device node in dir (as root) and returns its path.
func mknod(t *testing.T, dir, name string, mode uint32, major, minor uint32) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mknod needs root")
	}
	p := filepath.Join(dir, name)
	if err := unix.Mknod(p, mode|0o644, int(unix.Mkdev(major, minor))); err != nil {
		t.Skipf("mknod %s: %v", p, err)
	}
	return p
}

// stat returns what is at p without following a symlink.
func stat(t *testing.T, p string) unix.Stat_t {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Lstat(p, &st); err != nil {
		t.Fatal(err)
	}
	return st
}

// TestWriteCharDevice: a character device (the null device, made in a
// temporary directory so that a broken Write cannot replace the host's
// /dev/null) is written into and stays the device it was.
func TestWriteCharDevice(t *testing.T) {
	null := mknod(t, t.TempDir(), "devnull", unix.S_IFCHR, 1, 3)
	before := stat(t, null)
	if err := writeReport(null); err != nil {
		t.Fatal(err)
	}
	if after := stat(t, null); after.Mode != before.Mode || after.Rdev != before.Rdev || after.Ino != before.Ino {
		t.Errorf("mode %o rdev %d inode %d became mode %o rdev %d inode %d", before.Mode, before.Rdev, before.Ino, after.Mode, after.Rdev, after.Ino)
	}
}

// TestWriteFIFO: a FIFO is written into, its reader gets the report, and
// it stays a FIFO. The reader opens first without waiting (O_NONBLOCK), so
// the writer does not wait either and a FIFO wrongly replaced reads empty
// instead of hanging the test.
func TestWriteFIFO(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := unix.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := os.OpenFile(fifo, os.O_RDONLY|unix.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := writeReport(fifo); err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(r); string(b) != report {
		t.Errorf("the reader got %q, want %q", b, report)
	}
	if st := stat(t, fifo); st.Mode&unix.S_IFMT != unix.S_IFIFO {
		t.Errorf("the FIFO became mode %o", st.Mode)
	}
}

// TestWriteThroughSymlink: a symlink is followed; its target is replaced
// atomically keeping its mode, and the link stays a link.
func TestWriteThroughSymlink(t *testing.T) {
	dir, other := t.TempDir(), t.TempDir()
	target := filepath.Join(other, "target.json")
	if err := os.WriteFile(target, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if err := writeReport(link); err != nil {
		t.Fatal(err)
	}
	if st := stat(t, link); st.Mode&unix.S_IFMT != unix.S_IFLNK {
		t.Errorf("the symlink became mode %o", st.Mode)
	}
	if b, _ := os.ReadFile(target); string(b) != report {
		t.Errorf("the target holds %q", b)
	}
	if st := stat(t, target); st.Mode&0o777 != 0o600 {
		t.Errorf("the target's mode became %o, want 0600", st.Mode&0o777)
	}
}

// TestWriteRefuses: a dangling symlink, a directory, a socket and a block
// device are refused and left as they were; nothing is created.
func TestWriteRefuses(t *testing.T) {
	dir := t.TempDir()
	dangling := filepath.Join(dir, "dangling")
	if err := os.Symlink(filepath.Join(dir, "nowhere"), dangling); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	paths := []string{dangling, sub, sock}
	if os.Geteuid() == 0 {
		// A loop device minor no driver has bound: refused before any open.
		paths = append(paths, mknod(t, dir, "blk", unix.S_IFBLK, 7, 250))
	}
	for _, p := range paths {
		before := stat(t, p)
		err := writeReport(p)
		if err == nil {
			t.Errorf("%s: written, want a refusal", p)
		}
		if refused := (*atomicfile.RefusedError)(nil); p != dangling && (!errors.As(err, &refused) || strings.Contains(err.Error(), "report")) {
			t.Errorf("%s: %v: want a RefusedError that says nothing of what was to be written", p, err)
		}
		if after := stat(t, p); after.Mode != before.Mode || after.Ino != before.Ino {
			t.Errorf("%s: mode %o became %o", p, before.Mode, after.Mode)
		}
	}
	if _, err := os.Lstat(filepath.Join(dir, "nowhere")); err == nil {
		t.Error("the dangling symlink's target was created")
	}
}

// TestWriteDescriptor: /dev/fd/N writes to the open descriptor N, with its
// flags: a file opened for appending (a shell's >>) keeps what it held.
func TestWriteDescriptor(t *testing.T) {
	p := filepath.Join(t.TempDir(), "log")
	if err := os.WriteFile(p, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, name := range []string{"/dev/fd/", "/proc/self/fd/"} {
		if err := writeReport(name + strconv.Itoa(int(f.Fd()))); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.WriteString("still open\n"); err != nil {
		t.Errorf("the descriptor was closed: %v", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "old\n"+report+report+"still open\n" {
		t.Errorf("the file holds %q", b)
	}
	if st := stat(t, p); st.Mode&unix.S_IFMT != unix.S_IFREG {
		t.Errorf("mode %o", st.Mode)
	}
}
