package pipeline

import (
	"fmt"
	"os"

	"github.com/tcpaudit/tcpaudit/internal/input"
	"github.com/tcpaudit/tcpaudit/snapshot"
)

// openSnapshot extracts a snapshot tarball into a temporary directory and
// returns the proc root in it and a function that removes it.
func openSnapshot(file string) (string, func(), error) {
	f, err := input.Open(file)
	if err != nil {
		return "", nil, fmt.Errorf("snapshot: %w", err)
	}
	defer f.Close()
	dir, err := os.MkdirTemp("", "tcpaudit-snapshot-")
	if err != nil {
		return "", nil, fmt.Errorf("snapshot: %w", err)
	}
	cleanup := func() { os.RemoveAll(dir) }
	root, err := snapshot.Extract(f, dir, snapshot.DefaultLimits)
	if err != nil {
		cleanup()
		return "", nil, fmt.Errorf("snapshot %s: %w", file, err)
	}
	return root, cleanup, nil
}
