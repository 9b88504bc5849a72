//go:build linux

package taskfd

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"syscall"
	"testing"

	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"
)

// TestProgramMatchesReference runs the program Load assembles and the
// reference, taskfd.bpf.c compiled by clang and relocated by
// github.com/cilium/ebpf, on the same sockets of this process in several
// TCP states (a listener, both ends of an established connection, a
// CLOSE_WAIT end with its FIN_WAIT2 peer, sockets never connected), for
// several sets of states looked up and reported whole, and compares the
// descriptors each reports.
func TestProgramMatchesReference(t *testing.T) {
	inodes := liveSockets(t)
	it, err := Load(len(inodes))
	if errors.Is(err, ErrUnavailable) {
		unavailable(t, err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	ref := loadReference(t, len(inodes))
	const established, finWait2, closeWait, closed, listen = 1, 5, 8, 7, 10
	for _, states := range []States{
		{Lookup: AllStates},
		{Lookup: 1<<established | 1<<listen},
		{Report: 1 << closeWait, Lookup: 1 << finWait2},
		{Report: 1<<closed | 1<<listen},
		{},
	} {
		var got, want []File
		own := func(out *[]File) func(File) {
			return func(f File) {
				if f.TGID == uint32(os.Getpid()) {
					*out = append(*out, f)
				}
			}
		}
		if err := it.Sockets(slices.Values(inodes), len(inodes), states, own(&got)); err != nil {
			t.Fatal(err)
		}
		ref.run(t, inodes, states, own(&want))
		sortFiles(got)
		sortFiles(want)
		if !slices.Equal(got, want) {
			t.Errorf("states %+v: reported\n%v\nthe reference reports\n%v", states, got, want)
		}
		if states.Lookup == AllStates && len(got) != len(inodes) {
			t.Errorf("all states: %d sockets reported, want the %d given", len(got), len(inodes))
		}
	}
}

func sortFiles(fs []File) {
	slices.SortFunc(fs, func(a, b File) int { return int(a.FD) - int(b.FD) })
}

// liveSockets opens sockets on loopback in several states and returns
// their inodes.
func liveSockets(t *testing.T) []uint32 {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	var conns []net.Conn
	for range 2 {
		c, err := net.Dial("tcp4", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		s, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close(); s.Close() })
		conns = append(conns, c, s)
	}
	// The client of the second pair shuts its sending side: FIN_WAIT2
	// there, CLOSE_WAIT at the accepted end once the FIN arrived (the
	// read's EOF); both keep their descriptors.
	conns[2].(*net.TCPConn).CloseWrite()
	buf := make([]byte, 1)
	if _, err := conns[3].Read(buf); err == nil {
		t.Fatal("read after the peer's FIN: no EOF")
	}
	inodes := []uint32{fileInode(t, ln.(*net.TCPListener))}
	for _, c := range conns {
		inodes = append(inodes, fileInode(t, c.(*net.TCPConn)))
	}
	return append(inodes, openInodes(t, 2)...)
}

// fileInode returns the inode of a socket.
func fileInode(t *testing.T, c syscall.Conn) uint32 {
	t.Helper()
	raw, err := c.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var st syscall.Stat_t
	if err := raw.Control(func(fd uintptr) { err = syscall.Fstat(int(fd), &st) }); err != nil {
		t.Fatal(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return uint32(st.Ino)
}

// reference is taskfd.bpf.c loaded by cilium/ebpf.
type reference struct{ objs taskfdObjects }

func loadReference(t *testing.T, room int) *reference {
	t.Helper()
	spec, err := loadTaskfd()
	if err != nil {
		t.Fatal(err)
	}
	spec.Maps["wanted"].MaxEntries = uint32(room)
	r := &reference{}
	if err := spec.LoadAndAssign(&r.objs, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.objs.Close() })
	return r
}

// run fills the reference's map with inodes (the same each run) and runs
// it.
func (r *reference) run(t *testing.T, inodes []uint32, states States, visit func(File)) {
	t.Helper()
	for _, ino := range inodes {
		if err := r.objs.Wanted.Put(ino, uint8(0)); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.objs.ReportStates.Set(states.Report); err != nil {
		t.Fatal(err)
	}
	if err := r.objs.LookupStates.Set(states.Lookup); err != nil {
		t.Fatal(err)
	}
	l, err := link.AttachIter(link.IterOptions{Program: r.objs.SocketFiles})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	rd, err := l.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	if err := read(againReader{rd}, func(f File) bool { visit(f); return true }); err != nil {
		t.Fatal(err)
	}
}

// againReader reads r again when a read fails with EAGAIN, as fdReader
// does: the kernel stops a read of the iterator that visited a million
// files without output (a host holding more than a million descriptors),
// and the next read goes on.
type againReader struct{ r io.Reader }

func (a againReader) Read(p []byte) (int, error) {
	for range maxAgain {
		n, err := a.r.Read(p)
		if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR) {
			continue
		}
		return n, err
	}
	return 0, fmt.Errorf("read the reference iterator: EAGAIN %d times in a row", maxAgain)
}

// unavailable ends a test whose Load failed with ErrUnavailable: it fails
// when the reference loads here (the kernel can run a task_file program,
// so the fault is this one's), and skips otherwise.
func unavailable(t *testing.T, err error) {
	t.Helper()
	spec, specErr := loadTaskfd()
	if specErr != nil {
		t.Fatal(specErr)
	}
	spec.Maps["wanted"].MaxEntries = 1
	var objs taskfdObjects
	if refErr := spec.LoadAndAssign(&objs, nil); refErr != nil {
		t.Skipf("no BPF iterator here: %v (the reference: %v)", err, refErr)
	}
	objs.Close()
	t.Fatalf("the reference program loads here, this one does not: %v", err)
}
