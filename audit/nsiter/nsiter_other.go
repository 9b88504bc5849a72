//go:build !linux

package nsiter

// Run needs Linux: it returns ErrUnavailable.
func Run(int, func(*Socket), func(Holder)) error { return ErrUnavailable }
