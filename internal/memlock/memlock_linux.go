//go:build linux

package memlock

import "golang.org/x/sys/unix"

// Raise sets the soft RLIMIT_MEMLOCK to the hard one (unlimited for
// root) and returns the error of setrlimit(2), if any; the caller may
// ignore it, as a kernel of 5.11 or later does not need the limit raised.
func Raise() error {
	var l unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_MEMLOCK, &l); err != nil {
		return err
	}
	if l.Cur == l.Max {
		return nil
	}
	l.Cur = l.Max
	return unix.Setrlimit(unix.RLIMIT_MEMLOCK, &l)
}
