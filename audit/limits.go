package audit

import (
	"errors"

	"github.com/tcpaudit/tcpaudit/internal/input"
)

// readSmall reads a one-value file under the proc root (a sysctl,
// osrelease, comm): regular files only, at most input.MaxSmall bytes.
func readSmall(path string) ([]byte, error) {
	return input.ReadFile(path, input.MaxSmall)
}

// hostile reports whether a read failed because the file is not what
// procfs serves (a FIFO, a directory, a huge file): such a tree is bad
// input, never a fact that is merely missing.
func hostile(err error) bool {
	return errors.Is(err, input.ErrNotRegular) || errors.Is(err, input.ErrTooLarge)
}
