//go:build linux

package taskfd

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// vmlinuxBTF is the running kernel's BTF (CONFIG_DEBUG_INFO_BTF).
const vmlinuxBTF = "/sys/kernel/btf/vmlinux"

// Iterator is the loaded program with its maps, for several runs: the
// descriptors of the program, of the hash of wanted inodes and of the
// array of the states of the next run.
type Iterator struct {
	prog, wanted, states int
	max                  int
	// filled says the map holds the inodes of the last run: they are
	// deleted before the next one, not after, so that the last run leaves
	// them to Close, which frees the map whole.
	filled bool
}

// Load loads the program with room for room inodes. It needs Linux 5.11
// (bpf_sock_from_file, see docs/kernel-facts.md §33), the kernel's BTF and
// a 64-bit machine. Errors wrap ErrUnavailable; the caller may then read
// the descriptors another way.
func Load(room int) (*Iterator, error) {
	if strconv.IntSize != 64 {
		return nil, fmt.Errorf("%w: a %d-bit machine", ErrUnavailable, strconv.IntSize)
	}
	l, err := kernelLayout()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	it, err := load(l, room)
	if errors.Is(err, unix.EPERM) {
		return nil, fmt.Errorf("%w: loading a BPF program needs root (CAP_BPF and CAP_PERFMON): %w", ErrUnavailable, err)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return it, nil
}

// kernelLayout reads the layout of the running kernel from its BTF.
func kernelLayout() (layout, error) {
	f, err := os.Open(vmlinuxBTF)
	if err != nil {
		return layout{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return layout{}, err
	}
	return readLayout(f, st.Size())
}

// load creates the maps and loads the program for a kernel of layout l;
// on an error it closes what it made.
func load(l layout, room int) (_ *Iterator, err error) {
	it := &Iterator{prog: -1, wanted: -1, states: -1, max: room}
	defer func() {
		if err != nil {
			it.Close()
		}
	}()
	if it.wanted, err = createMap(unix.BPF_MAP_TYPE_HASH, 4, 1, uint32(max(room, 1)), unix.BPF_F_NO_PREALLOC, "wanted"); err != nil {
		return nil, err
	}
	if it.states, err = createMap(unix.BPF_MAP_TYPE_ARRAY, 4, statesLen, 1, 0, "states"); err != nil {
		return nil, err
	}
	insns, err := program(l, it.states, it.wanted)
	if err != nil {
		return nil, err
	}
	if it.prog, err = loadProgram(insns, l.attachID); err != nil {
		return nil, err
	}
	return it, nil
}

// Close unloads the program and frees its maps.
func (it *Iterator) Close() error {
	var errs []error
	for _, fd := range []*int{&it.prog, &it.wanted, &it.states} {
		if *fd >= 0 {
			errs = append(errs, unix.Close(*fd))
			*fd = -1
		}
	}
	return errors.Join(errs...)
}

// Sockets empties the map of the last run's inodes, puts the n inodes
// yielded by inodes (at most the room Load made) into it, runs the
// iterator once and calls visit for every descriptor that refers to a
// socket in one of states.Report, or in one of states.Lookup with one of
// the inodes.
func (it *Iterator) Sockets(inodes iter.Seq[uint32], n int, states States, visit func(File)) error {
	return it.SocketsWhile(inodes, n, states, func(f File) bool { visit(f); return true })
}

// SocketsWhile is Sockets stopping the run when visit returns false.
func (it *Iterator) SocketsWhile(inodes iter.Seq[uint32], n int, states States, visit func(File) bool) error {
	if n > it.max {
		return fmt.Errorf("%d inodes for a map of %d", n, it.max)
	}
	if it.filled {
		if err := drain(it.wanted, it.max); err != nil {
			return fmt.Errorf("%w: empty the inode map: %w", ErrUnavailable, err)
		}
	}
	it.filled = true
	if err := setStates(it.states, states); err != nil {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	values := make([]uint8, fillChunk)
	err := chunks(inodes, func(keys []uint32) error { return put(it.wanted, keys, values[:len(keys)]) })
	if err != nil {
		return fmt.Errorf("%w: fill the inode map: %w", ErrUnavailable, err)
	}
	link, err := attach(it.prog)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	defer unix.Close(link)
	fd, err := open(link)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	defer unix.Close(fd)
	return read(fdReader(fd), visit)
}

// Sockets loads the iterator, runs it once for the n inodes yielded by
// inodes, in any state (see Iterator.Sockets), and unloads it.
func Sockets(inodes iter.Seq[uint32], n int, visit func(File)) error {
	if n == 0 {
		return nil
	}
	it, err := Load(n)
	if err != nil {
		return err
	}
	defer it.Close()
	return it.Sockets(inodes, n, States{Lookup: AllStates}, visit)
}

// read decodes the records of the seq file until visit returns false.
func read(r io.Reader, visit func(File) bool) error {
	br := bufio.NewReaderSize(r, 64*1024)
	var b [recordLen]byte
	ne := binary.NativeEndian
	for {
		_, err := io.ReadFull(br, b[:])
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read the task_file iterator: %w", err)
		}
		if !visit(File{TGID: ne.Uint32(b[0:]), FD: ne.Uint32(b[4:]), Inode: ne.Uint32(b[8:])}) {
			return nil
		}
	}
}

// maxAgain bounds the reads that return EAGAIN in a row: each one is the
// kernel having walked a million files without output (MAX_ITER_OBJECTS,
// docs/kernel-facts.md §28), so the bound stands for 10^10 files.
const maxAgain = 10000

// fdReader reads the iterator's descriptor, again when a read returns
// EAGAIN (the kernel stops a read() that visited a million objects and
// wrote nothing, and the next read() goes on from there) or EINTR.
type fdReader int

func (fd fdReader) Read(p []byte) (int, error) {
	for range maxAgain {
		n, err := unix.Read(int(fd), p)
		switch {
		case err == unix.EAGAIN || err == unix.EINTR:
			continue
		case err != nil:
			return 0, err
		case n == 0:
			return 0, io.EOF
		}
		return n, nil
	}
	return 0, fmt.Errorf("read the task_file iterator: EAGAIN %d times in a row", maxAgain)
}
