//go:build !linux

package taskfd

import "iter"

// Sockets needs Linux: it returns ErrUnavailable.
func Sockets(iter.Seq[uint32], int, func(File)) error { return ErrUnavailable }
