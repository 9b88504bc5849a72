//go:build !linux || tcpaudit_portable

package netns

import "fmt"

// Do runs fn in ns when ns is the caller's own namespace, and fails with
// ErrUnsupported otherwise: entering a namespace needs Linux (and a build
// without the tcpaudit_portable tag).
func Do(ns Namespace, fn func() error) error {
	if IsCaller(ns) {
		return fn()
	}
	return fmt.Errorf("namespace %s: %w", ns.ID, ErrUnsupported)
}
