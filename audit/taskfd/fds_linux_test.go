//go:build linux

package taskfd

import (
	"errors"
	"math"
	"os"
	"slices"
	"testing"
)

// openFDs returns the number of descriptors this process holds.
func openFDs(t *testing.T) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

// TestDescriptorsClosed counts this process's descriptors before and
// after runs that succeed and runs that fail at each step: the program
// refused (an attach ID that is no function, a load the layout cannot
// make), a map refused (a room the kernel will not make), a run asked for
// too many inodes. Every path leaves the count as it found it.
func TestDescriptorsClosed(t *testing.T) {
	l, err := kernelLayout()
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("no kernel BTF here: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	inodes := openInodes(t, 3)
	before := openFDs(t)
	it, err := Load(len(inodes))
	if errors.Is(err, ErrUnavailable) {
		unavailable(t, err)
	}
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := it.Sockets(slices.Values(inodes), len(inodes), States{Lookup: AllStates}, func(File) {}); err != nil {
			t.Fatal(err)
		}
	}
	if err := it.Sockets(slices.Values(inodes), len(inodes)+1, States{}, func(File) {}); err == nil {
		t.Error("more inodes than room: no error")
	}
	if err := it.Close(); err != nil {
		t.Fatal(err)
	}
	if err := it.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if n := openFDs(t); n != before {
		t.Errorf("after runs: %d descriptors, %d before", n, before)
	}
	noFunc := l
	noFunc.attachID = 1 // a type, not the iterator's function
	badLoad := l
	badLoad.tgid.size = 3
	for name, c := range map[string]struct {
		l    layout
		room int
	}{"no function": {noFunc, 4}, "no load": {badLoad, 4}, "no map": {l, math.MaxInt32}} {
		if it, err := load(c.l, c.room); err == nil {
			it.Close()
			t.Errorf("%s: loaded", name)
		} else {
			t.Logf("%s: %v", name, err)
		}
		if n := openFDs(t); n != before {
			t.Errorf("%s: %d descriptors, %d before", name, n, before)
		}
	}
}

// TestLogTail keeps the verifier's last lines before its statistics,
// with control characters escaped, and nothing of an empty log.
func TestLogTail(t *testing.T) {
	for _, c := range []struct{ log, want string }{
		{"", ""},
		{"\x00junk after the end", ""},
		{"0: r1 = 0\n1: exit\nR0 !read_ok\nprocessed 2 insns (limit 1000000)\n\x00old", " (verifier: 0: r1 = 0; 1: exit; R0 !read_ok)"},
		{"line \x1b[31mred\x1b[0m\n", ` (verifier: line \x1b[31mred\x1b[0m)`},
	} {
		if got := logTail([]byte(c.log)); got != c.want {
			t.Errorf("logTail(%q) = %q, want %q", c.log, got, c.want)
		}
	}
}
