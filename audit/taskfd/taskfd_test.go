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
		t.Skipf("no BPF iterator here: %v", err)
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
	it, err := Load(4, AllStates)
	if errors.Is(err, ErrUnavailable) {
		t.Skipf("no BPF iterator here: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	sets := [][]uint32{openInodes(t, 3), openInodes(t, 4)}
	for i, set := range sets {
		got := map[uint32]bool{}
		if err := it.Sockets(slices.Values(set), len(set), func(f File) { got[f.Inode] = true }); err != nil {
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
	if err := it.Sockets(slices.Values(openInodes(t, 5)), 5, func(File) {}); err == nil {
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

// TestIteratorStates loads the iterator for LISTEN sockets only and for
// CLOSE sockets only (TCP states 10 and 7) and runs it on the inodes of
// both kinds: a listener on loopback and sockets never connected. Each
// run reports its state's sockets and none of the others.
func TestIteratorStates(t *testing.T) {
	const tcpClose, tcpListen = 7, 10
	closed := openInodes(t, 3)
	listener := listenInode(t)
	all := append(slices.Clone(closed), listener)
	for _, tc := range []struct {
		state uint32
		want  []uint32
	}{{tcpListen, []uint32{listener}}, {tcpClose, closed}} {
		it, err := Load(len(all), 1<<tc.state)
		if errors.Is(err, ErrUnavailable) {
			t.Skipf("no BPF iterator here: %v", err)
		}
		if err != nil {
			t.Fatal(err)
		}
		var got []uint32
		err = it.Sockets(slices.Values(all), len(all), func(f File) { got = append(got, f.Inode) })
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
