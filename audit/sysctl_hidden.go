package audit

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
)

// ErrSysctlsHidden is why no sysctl can be read under a process's
// directory (a proc root such as /proc/PID): procfs serves sys/ at its top
// only, for the reader's own network namespace, never per process. The
// namespace's sysctls are read from inside it (--netns PID).
var ErrSysctlsHidden = errors.New("sysctls are not visible under a process's directory (it has no sys/): read them inside its network namespace with --netns PID")

// sysctlsHidden returns an error wrapping ErrSysctlsHidden and
// fs.ErrNotExist when root is a process's directory without sys/, else nil.
func sysctlsHidden(root string) error {
	if pid, err := strconv.Atoi(filepath.Base(filepath.Clean(root))); err != nil || pid <= 0 {
		return nil
	}
	if _, err := os.Stat(filepath.Join(root, "sys")); !errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if _, err := os.Stat(filepath.Join(root, "status")); err != nil {
		return nil
	}
	return fmt.Errorf("%w: %w", ErrSysctlsHidden, fs.ErrNotExist)
}
