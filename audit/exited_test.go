package audit

import (
	"os"
	"path/filepath"
	"testing"
)

// TestExited: a process that is gone, a zombie or dead has exited (its
// denied descriptors say nothing of privileges); a running one, or one
// whose captured tree has no stat file, has not.
func TestExited(t *testing.T) {
	root := t.TempDir()
	for pid, stat := range map[string]string{
		"10": "10 (java) S 1 10 10 0",
		"11": "11 (a) b) Z 1 11 11 0",
		"12": "12 (x) X 1 12 12 0",
		"13": "",
	} {
		dir := filepath.Join(root, pid)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if stat != "" {
			if err := os.WriteFile(filepath.Join(dir, "stat"), []byte(stat+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for pid, want := range map[int]bool{10: false, 11: true, 12: true, 13: false, 14: true} {
		if got := exited(root, pid); got != want {
			t.Errorf("pid %d: exited %v, want %v", pid, got, want)
		}
	}
}
