//go:build linux

package memlock_test

import (
	"testing"

	"golang.org/x/sys/unix"

	"github.com/tcpaudit/tcpaudit/internal/memlock"
)

// TestRaise lowers the soft limit, raises it and finds it at the hard one.
func TestRaise(t *testing.T) {
	var old unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_MEMLOCK, &old); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = unix.Setrlimit(unix.RLIMIT_MEMLOCK, &old) })
	low := unix.Rlimit{Cur: 0, Max: old.Max}
	if err := unix.Setrlimit(unix.RLIMIT_MEMLOCK, &low); err != nil {
		t.Fatal(err)
	}
	if err := memlock.Raise(); err != nil {
		t.Fatal(err)
	}
	var got unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_MEMLOCK, &got); err != nil {
		t.Fatal(err)
	}
	if got.Cur != old.Max {
		t.Errorf("soft limit %d after Raise, want the hard limit %d", got.Cur, old.Max)
	}
}
