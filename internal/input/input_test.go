package input

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestReadFileLimits(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small")
	if err := os.WriteFile(small, []byte("12345"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		max  int64
		want error
	}{{5, nil}, {6, nil}, {4, ErrTooLarge}, {0, ErrTooLarge}} {
		b, err := ReadFile(small, tc.max)
		if !errors.Is(err, tc.want) {
			t.Errorf("max %d: err %v, want %v", tc.max, err, tc.want)
		}
		if tc.want == nil && string(b) != "12345" {
			t.Errorf("max %d: read %q", tc.max, b)
		}
		if tc.want != nil && !strings.Contains(err.Error(), small) {
			t.Errorf("max %d: %v does not name the file", tc.max, err)
		}
	}
}

func TestOpenRefusesFIFOAndDirectory(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := ReadFile(fifo, MaxSmall); done <- err }()
	select {
	case err := <-done:
		if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), "a FIFO") {
			t.Errorf("fifo: %v, want not a regular file (a FIFO)", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("reading a FIFO with no writer blocked")
	}
	if _, err := Open(dir); !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), "a directory") {
		t.Errorf("directory: %v, want not a regular file (a directory)", err)
	}
}

func TestReadFileProc(t *testing.T) {
	b, err := ReadFile("/proc/sys/kernel/osrelease", MaxSmall)
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	if len(b) == 0 {
		t.Error("/proc/sys/kernel/osrelease read empty: files of size 0 must be read to EOF")
	}
}
