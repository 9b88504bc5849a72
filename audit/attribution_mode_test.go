package audit

import (
	"os"
	"path/filepath"
	"testing"
)

// TestFewFiles reads the open-file count of sys/fs/file-nr under a proc
// root: below 32768 files the host has few, above or unreadable not.
func TestFewFiles(t *testing.T) {
	for _, c := range []struct {
		name, content string
		want          bool
	}{
		{"few", "780\t0\t2466103\n", true},
		{"many", "1200000\t0\t2466103\n", false},
		{"malformed", "lots\n", false},
		{"empty", "", false},
		{"missing", "", false},
	} {
		root := t.TempDir()
		if c.name != "missing" {
			if err := os.MkdirAll(filepath.Join(root, "sys/fs"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(root, "sys/fs/file-nr"), []byte(c.content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if got := (FS{root: root}).fewFiles(); got != c.want {
			t.Errorf("%s: fewFiles() = %v, want %v", c.name, got, c.want)
		}
	}
}
