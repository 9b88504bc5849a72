//go:build unix

package atomicfile

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// TestWalkDirRefusesSymlink: the O_NOFOLLOW walk, used where openat2 is
// missing, opens real directories and refuses a symlinked component.
func TestWalkDirRefusesSymlink(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "a", "b"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(t.TempDir(), filepath.Join(root, "a", "link")); err != nil {
		t.Fatal(err)
	}
	fd, err := walkDir(root, "a/b")
	if err != nil {
		t.Fatalf("a/b: %v", err)
	}
	unix.Close(fd)
	if fd, err := walkDir(root, "a/link"); err == nil {
		unix.Close(fd)
		t.Error("a/link: a symlink was followed")
	}
}
