package audit

import (
	"os"
	"path/filepath"
	"testing"
)

// TestReadCommKeepsBlanks: only the kernel's newline is taken off a
// command name; a tab, a space or a newline of the name's own stays (and
// is escaped where it is printed).
func TestReadCommKeepsBlanks(t *testing.T) {
	for _, name := range []string{"sleep", "EV\nIL\t", " x ", "\x1b[31m"} {
		path := filepath.Join(t.TempDir(), "comm")
		if err := os.WriteFile(path, []byte(name+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if got := readComm(path); got != name {
			t.Errorf("comm %q read as %q", name, got)
		}
	}
}
