//go:build unix

package watch

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"

	"github.com/tcpaudit/tcpaudit/internal/visible"
)

// NamespaceInode returns the inode of a network namespace named by a path
// (/run/netns/NAME, /proc/PID/ns/net) or by a process ID, whose namespace
// file is read under procRoot; "self" is this process's namespace.
func NamespaceInode(procRoot, spec string) (uint32, error) {
	p := spec
	if _, err := strconv.Atoi(spec); err == nil || spec == "self" {
		p = filepath.Join(procRoot, spec, "ns", "net")
	}
	fi, err := os.Stat(p)
	if err != nil {
		return 0, fmt.Errorf("network namespace %s: %w", visible.Quote(spec), err)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || st.Ino == 0 || st.Ino > 1<<32-1 {
		return 0, fmt.Errorf("network namespace %s: %s has no namespace inode", visible.Quote(spec), p)
	}
	return uint32(st.Ino), nil
}
