//go:build !linux

package taskfd

// Sockets needs Linux: it returns ErrUnavailable.
func Sockets([]uint32, func(File)) error { return ErrUnavailable }
