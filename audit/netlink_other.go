//go:build !linux || tcpaudit_portable

package audit

import (
	"errors"
	"fmt"
	"sync"
)

// errNoSockDiag is why this build has no netlink census.
var errNoSockDiag = errors.New("sock_diag needs Linux (this build reads /proc/net/tcp and tcp6 instead)")

// Netlink would dump TCP sockets over NETLINK_SOCK_DIAG, which this build
// does not have; it keeps what parsing a dump's messages needs.
type Netlink struct {
	seq uint32
	s   Socket
	// twin, when set, is a second socket of the same namespace for a
	// pass dumped at the same time (see census); mu serializes the
	// census's additions while both run.
	twin *Netlink
	mu   *sync.Mutex
}

// OpenNetlink fails: NETLINK_SOCK_DIAG exists only on Linux. The error
// wraps ErrNetlink, so an auto census falls back to the /proc files.
func OpenNetlink() (*Netlink, error) {
	return nil, fmt.Errorf("%w: %w", ErrNetlink, errNoSockDiag)
}

// Close does nothing: this build opens no socket.
func (n *Netlink) Close() error { return nil }

func (n *Netlink) dump(uint8, StateSet, *Census) error {
	return fmt.Errorf("%w: %w", ErrNetlink, errNoSockDiag)
}

// errnoError is the error of a Linux errno carried in a netlink message.
func errnoError(errno int32) error { return fmt.Errorf("errno %d", errno) }
