//go:build linux

package audit

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// deniedProcess returns a process whose fd directory this process can
// open but whose links it may not read (one it may not ptrace, even as
// root, such as a sandbox's init), or skips the test.
func deniedProcess(t *testing.T) int {
	t.Helper()
	dirs, _ := filepath.Glob("/proc/[0-9]*/fd")
	for _, dir := range dirs {
		ents, err := os.ReadDir(dir)
		if err != nil || len(ents) == 0 {
			continue
		}
		if _, err := os.Readlink(filepath.Join(dir, ents[0].Name())); errors.Is(err, fs.ErrPermission) {
			pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
			return pid
		}
	}
	t.Skip("no process whose fd directory opens but whose links are denied (needs a process this user may not ptrace)")
	return 0
}

// TestAttributeCountsDeniedLinksUnreadable: a process whose descriptors
// cannot be read is counted as unreadable, not silently taken for one
// that holds none of the sockets.
func TestAttributeCountsDeniedLinksUnreadable(t *testing.T) {
	pid := deniedProcess(t)
	err := newFDScanner().sockets(filepath.Join("/proc", strconv.Itoa(pid), "fd"), func(uint64) {})
	if !errors.Is(err, fs.ErrPermission) {
		t.Fatalf("scan of pid %d: %v, want a permission error", pid, err)
	}
	pc, err := FS{root: "/proc", attribution: AttributionFDScan}.Processes(map[uint64]State{1: CloseWait})
	if err != nil {
		t.Fatal(err)
	}
	if pc.Unreadable == 0 {
		t.Errorf("attribution %+v: pid %d is not counted as unreadable", pc, pid)
	}
}
