//go:build linux

package taskfd

import (
	"errors"
	"os"
	"slices"
	"syscall"
	"testing"
)

// TestSocketsFindsOwnSockets opens sockets and checks that the iterator
// reports each of them, with this process and the descriptor fstat names,
// and nothing else.
func TestSocketsFindsOwnSockets(t *testing.T) {
	want := map[uint32]uint32{} // inode -> fd
	var inodes []uint32
	for range 20 {
		fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { syscall.Close(fd) })
		var st syscall.Stat_t
		if err := syscall.Fstat(fd, &st); err != nil {
			t.Fatal(err)
		}
		want[uint32(st.Ino)] = uint32(fd)
		inodes = append(inodes, uint32(st.Ino))
	}
	got := map[uint32]uint32{}
	err := Sockets(slices.Values(inodes), len(inodes), func(f File) {
		if f.TGID != uint32(os.Getpid()) {
			t.Errorf("inode %d reported for pid %d, want %d", f.Inode, f.TGID, os.Getpid())
		}
		got[f.Inode] = f.FD
	})
	if errors.Is(err, ErrUnavailable) {
		unavailable(t, err)
	}
	if err != nil {
		t.Fatal(err)
	}
	for ino, fd := range want {
		if got[ino] != fd {
			t.Errorf("inode %d: fd %d reported, want %d", ino, got[ino], fd)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d sockets reported, want %d", len(got), len(want))
	}
}

// TestIteratorRunsTwice runs one loaded iterator for two sets of sockets:
// the second run reports the second set only, the map emptied between.
func TestIteratorRunsTwice(t *testing.T) {
	it, err := Load(4)
	if errors.Is(err, ErrUnavailable) {
		unavailable(t, err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	sets := [][]uint32{openInodes(t, 3), openInodes(t, 4)}
	for i, set := range sets {
		got := map[uint32]bool{}
		if err := it.Sockets(slices.Values(set), len(set), States{Lookup: AllStates}, func(f File) { got[f.Inode] = true }); err != nil {
			t.Fatal(err)
		}
		if len(got) != len(set) {
			t.Errorf("run %d: %d sockets reported, want %d", i+1, len(got), len(set))
		}
		for _, ino := range set {
			if !got[ino] {
				t.Errorf("run %d: inode %d not reported", i+1, ino)
			}
		}
	}
	if err := it.Sockets(slices.Values(openInodes(t, 5)), 5, States{Lookup: AllStates}, func(File) {}); err == nil {
		t.Error("5 inodes in a map made for 4: no error")
	}
}

// openInodes opens n sockets and returns their inodes.
func openInodes(t *testing.T, n int) []uint32 {
	t.Helper()
	var out []uint32
	for range n {
		fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { syscall.Close(fd) })
		var st syscall.Stat_t
		if err := syscall.Fstat(fd, &st); err != nil {
			t.Fatal(err)
		}
		out = append(out, uint32(st.Ino))
	}
	return out
}

// TestIteratorStates runs the iterator looking up LISTEN sockets only and
// CLOSE sockets only (TCP states 10 and 7) on the inodes of both kinds: a
// listener on loopback and sockets never connected. Each run reports its
// state's sockets and none of the others.
func TestIteratorStates(t *testing.T) {
	const tcpClose, tcpListen = 7, 10
	closed := openInodes(t, 3)
	listener := listenInode(t)
	all := append(slices.Clone(closed), listener)
	for _, tc := range []struct {
		state uint32
		want  []uint32
	}{{tcpListen, []uint32{listener}}, {tcpClose, closed}} {
		it, err := Load(len(all))
		if errors.Is(err, ErrUnavailable) {
			unavailable(t, err)
		}
		if err != nil {
			t.Fatal(err)
		}
		var got []uint32
		err = it.Sockets(slices.Values(all), len(all), States{Lookup: 1 << tc.state}, func(f File) { got = append(got, f.Inode) })
		it.Close()
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(got)
		if want := slices.Sorted(slices.Values(tc.want)); !slices.Equal(got, want) {
			t.Errorf("state %d: inodes %v reported, want %v", tc.state, got, want)
		}
	}
}

// listenInode opens a TCP listener on loopback and returns its inode.
func listenInode(t *testing.T) uint32 {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 1); err != nil {
		t.Fatal(err)
	}
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		t.Fatal(err)
	}
	return uint32(st.Ino)
}

// TestIteratorReportsStatesWhole runs the iterator with an empty map for
// the sockets never connected (TCP_CLOSE, 7) reported whole and a
// listener (10) looked up: this process's closed sockets are all
// reported, with no inode given, beside the listener whose inode was.
// A second run on the same program with other states reports the
// listener alone: the states are set per run.
func TestIteratorReportsStatesWhole(t *testing.T) {
	const tcpClose, tcpListen = 7, 10
	closed := openInodes(t, 3)
	listener := listenInode(t)
	it, err := Load(1)
	if errors.Is(err, ErrUnavailable) {
		unavailable(t, err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	for _, tc := range []struct {
		states States
		want   []uint32
	}{
		{States{Report: 1 << tcpClose, Lookup: 1 << tcpListen}, append(slices.Clone(closed), listener)},
		{States{Lookup: 1<<tcpListen | 1<<tcpClose}, []uint32{listener}},
	} {
		var got []uint32
		err := it.Sockets(slices.Values([]uint32{listener}), 1, tc.states, func(f File) {
			if f.TGID == uint32(os.Getpid()) {
				got = append(got, f.Inode)
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(got)
		if want := slices.Sorted(slices.Values(tc.want)); !slices.Equal(got, want) {
			t.Errorf("states %+v: inodes %v reported, want %v", tc.states, got, want)
		}
	}
}
