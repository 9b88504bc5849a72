//go:build !linux

package taskfd

import "iter"

// Sockets needs Linux: it returns ErrUnavailable.
func Sockets(iter.Seq[uint32], int, func(File)) error { return ErrUnavailable }

// Iterator needs Linux.
type Iterator struct{}

// Load needs Linux: it returns ErrUnavailable.
func Load(int) (*Iterator, error) { return nil, ErrUnavailable }

// Close does nothing.
func (*Iterator) Close() error { return nil }

// Sockets needs Linux: it returns ErrUnavailable.
func (*Iterator) Sockets(iter.Seq[uint32], int, States, func(File)) error { return ErrUnavailable }

// SocketsWhile needs Linux: it returns ErrUnavailable.
func (*Iterator) SocketsWhile(iter.Seq[uint32], int, States, func(File) bool) error {
	return ErrUnavailable
}
