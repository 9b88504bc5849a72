//go:build !linux

package netns

import "fmt"

// nsfsInode fails: only Linux has network namespaces.
func nsfsInode(path string) (uint64, error) {
	return 0, fmt.Errorf("%s: %w", path, ErrUnsupported)
}

// gone reports an error of a process that exited while it was read; only
// Linux has such errors.
func gone(error) bool { return false }
