//go:build !linux || tcpaudit_portable

package audit

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// fdScanner lists the socket inodes of one process's descriptors with
// os.ReadDir and os.Readlink, for systems without getdents64 and
// readlinkat (reading a captured proc tree elsewhere).
type fdScanner struct{}

func newFDScanner() *fdScanner { return &fdScanner{} }

// sockets calls visit with the inode of every socket among the
// descriptors in dir (a <pid>/fd directory). Errors wrap the path, so
// errors.Is(err, fs.ErrPermission) works; links that could not be read for
// lack of permission are reported that way after the readable ones were
// visited.
func (s *fdScanner) sockets(dir string, visit func(ino uint64)) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("read %s: %w", dir, err)
	}
	denied := false
	for _, e := range entries {
		target, err := os.Readlink(filepath.Join(dir, e.Name()))
		if errors.Is(err, fs.ErrPermission) {
			denied = true
		}
		if err != nil {
			continue // closed since the listing, or denied: skip
		}
		if ino, ok := socketInodeBytes([]byte(target)); ok {
			visit(ino)
		}
	}
	if denied {
		return fmt.Errorf("readlink in %s: %w", dir, fs.ErrPermission)
	}
	return nil
}

// threadTables has no kcmp to compare descriptor tables with here: the
// process's table only.
func (*fdScanner) threadTables(string, int) []string { return nil }
