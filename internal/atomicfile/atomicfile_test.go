package atomicfile_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/internal/atomicfile"
)

func TestWriteKeepsOldFileOnError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "report.txt")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := atomicfile.Write(path, func(w io.Writer) error {
		if _, err := w.Write([]byte("partial")); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Write = %v, want boom", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("file = %q after a failed write, want the old content", b)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("%d entries left, want 1", len(entries))
	}
}

func TestWriteNewFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "report.txt")
	if err := atomicfile.Write(path, func(w io.Writer) error {
		_, err := io.WriteString(w, "new")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o644 {
		t.Fatalf("stat %v, %v: want mode 0644", st, err)
	}
	if b, _ := os.ReadFile(path); string(b) != "new" {
		t.Errorf("file = %q, want new", b)
	}
}

// TestWriteMissingDirectory: a file in a directory that does not exist is
// refused naming the directory, not the temporary file never made.
func TestWriteMissingDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "none", "x")
	err := atomicfile.Write(filepath.Join(dir, "out.txt"), func(w io.Writer) error { return nil })
	if err == nil || !strings.HasSuffix(err.Error(), ": directory "+dir+" does not exist") || strings.Contains(err.Error(), ".tmp") {
		t.Errorf("error %v, want the missing directory named", err)
	}
}

// TestReplaceKeepsModeAndBackup: the new file has the old one's mode and
// the old content stays as FILE.bak.
func TestReplaceKeepsModeAndBackup(t *testing.T) {
	file := filepath.Join(t.TempDir(), "99-x.conf")
	if err := os.WriteFile(file, []byte("old\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	backup, err := atomicfile.Replace(file, "new\n")
	if err != nil {
		t.Fatal(err)
	}
	if backup != file+".bak" {
		t.Errorf("backup %q, want %q", backup, file+".bak")
	}
	if b, _ := os.ReadFile(backup); string(b) != "old\n" {
		t.Errorf("backup holds %q", b)
	}
	st, err := os.Stat(file)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("stat %v, %v: want mode 0600", st, err)
	}
	if b, _ := os.ReadFile(file); string(b) != "new\n" {
		t.Errorf("file holds %q", b)
	}
	if backup, err := atomicfile.Replace(filepath.Join(filepath.Dir(file), "new.conf"), "x"); err != nil || backup != "" {
		t.Errorf("new file: backup %q, %v", backup, err)
	}
}

// TestReplaceRefusesSymlink: a symlink is not replaced (nor followed).
func TestReplaceRefusesSymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target")
	if err := os.WriteFile(target, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.conf")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if _, err := atomicfile.Replace(link, "new"); err == nil {
		t.Fatal("Replace over a symlink succeeded")
	}
	if b, _ := os.ReadFile(target); string(b) != "keep" {
		t.Errorf("symlink target changed to %q", b)
	}
}
