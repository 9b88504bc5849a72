//go:build linux

package taskfd

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"iter"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"github.com/cilium/ebpf/rlimit"
	"golang.org/x/sys/unix"
)

// recordLen is the size of struct record in taskfd.bpf.c.
const recordLen = 16

// Iterator is the loaded program and its inode map, for several runs
// (loading parses the kernel's BTF: once is enough).
type Iterator struct {
	objs *taskfdObjects
	max  int
	// filled says the map holds the inodes of the last run: they are
	// deleted before the next one, not after, so that the last run leaves
	// them to Close, which frees the map whole.
	filled bool
}

// Load loads the program with room for room inodes. It needs Linux 5.11
// (bpf_sock_from_file, see docs/kernel-facts.md §33). Errors wrap
// ErrUnavailable; the caller may then read the descriptors another way.
func Load(room int) (*Iterator, error) {
	_ = rlimit.RemoveMemlock() // kernels before 5.11 charge maps to RLIMIT_MEMLOCK
	spec, err := loadTaskfd()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	spec.Maps[taskfdMapWanted].MaxEntries = uint32(max(room, 1))
	var objs taskfdObjects
	if err := spec.LoadAndAssign(&objs, nil); err != nil {
		return nil, fmt.Errorf("%w: load: %w", ErrUnavailable, err)
	}
	return &Iterator{objs: &objs, max: room}, nil
}

// Close unloads the program.
func (it *Iterator) Close() error { return it.objs.Close() }

// Sockets empties the map of the last run's inodes, puts the n inodes
// yielded by inodes (at most the room Load made) into it, runs the
// iterator once and calls visit for every descriptor that refers to a
// socket in one of states.Report, or in one of states.Lookup with one of
// the inodes.
func (it *Iterator) Sockets(inodes iter.Seq[uint32], n int, states States, visit func(File)) error {
	if n > it.max {
		return fmt.Errorf("%d inodes for a map of %d", n, it.max)
	}
	if it.filled {
		if err := drain(it.objs.Wanted); err != nil {
			return fmt.Errorf("%w: empty the inode map: %w", ErrUnavailable, err)
		}
	}
	it.filled = true
	if err := it.setStates(states); err != nil {
		return err
	}
	values := make([]uint8, fillChunk)
	err := chunks(inodes, func(keys []uint32) error { return put(it.objs.Wanted, keys, values[:len(keys)]) })
	if err != nil {
		return fmt.Errorf("%w: fill the inode map: %w", ErrUnavailable, err)
	}
	l, err := link.AttachIter(link.IterOptions{Program: it.objs.SocketFiles})
	if err != nil {
		return fmt.Errorf("%w: attach: %w", ErrUnavailable, err)
	}
	defer l.Close()
	rd, err := l.Open()
	if err != nil {
		return fmt.Errorf("%w: open: %w", ErrUnavailable, err)
	}
	defer rd.Close()
	return read(rd, visit)
}

// setStates writes the states of the next run into the program's globals.
func (it *Iterator) setStates(states States) error {
	if err := it.objs.LookupStates.Set(states.Lookup); err != nil {
		return fmt.Errorf("%w: states: %w", ErrUnavailable, err)
	}
	if err := it.objs.ReportStates.Set(states.Report); err != nil {
		return fmt.Errorf("%w: states: %w", ErrUnavailable, err)
	}
	return nil
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

// fillChunk is the number of inodes written to or deleted from the map
// per batch operation.
const fillChunk = 4096

// chunks calls fn with the inodes, fillChunk at a time.
func chunks(inodes iter.Seq[uint32], fn func([]uint32) error) error {
	keys := make([]uint32, 0, fillChunk)
	for ino := range inodes {
		if keys = append(keys, ino); len(keys) == fillChunk {
			if err := fn(keys); err != nil {
				return err
			}
			keys = keys[:0]
		}
	}
	if len(keys) == 0 {
		return nil
	}
	return fn(keys)
}

// drain deletes every key of m, fillChunk at a time (batch operations:
// Linux 5.6, before the 5.11 the program needs).
func drain(m *ebpf.Map) error {
	var cursor ebpf.MapBatchCursor
	keys, values := make([]uint32, fillChunk), make([]uint8, fillChunk)
	for {
		_, err := m.BatchLookupAndDelete(&cursor, keys, values, nil)
		if errors.Is(err, ebpf.ErrKeyNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// put writes keys with their values (zeros) into m, one by one where
// batch operations are missing.
func put(m *ebpf.Map, keys []uint32, values []uint8) error {
	_, err := m.BatchUpdate(keys, values, nil)
	if !errors.Is(err, ebpf.ErrNotSupported) {
		return err
	}
	for _, k := range keys {
		if err := m.Put(k, uint8(0)); err != nil {
			return err
		}
	}
	return nil
}

// read decodes the records of the seq file.
func read(r io.Reader, visit func(File)) error {
	br := bufio.NewReaderSize(retryAgain{r: r}, 64*1024)
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
		visit(File{TGID: ne.Uint32(b[0:]), FD: ne.Uint32(b[4:]), Inode: ne.Uint32(b[8:])})
	}
}

// maxAgain bounds the reads that return EAGAIN in a row: each one is the
// kernel having walked a million files without output (MAX_ITER_OBJECTS,
// docs/kernel-facts.md §28), so the bound stands for 10^10 files.
const maxAgain = 10000

// retryAgain reads again when the iterator's read returns EAGAIN: the
// kernel stops a read() that visited a million objects and wrote nothing,
// and the next read() goes on from there.
type retryAgain struct{ r io.Reader }

func (r retryAgain) Read(p []byte) (int, error) {
	for range maxAgain {
		n, err := r.r.Read(p)
		if n == 0 && errors.Is(err, unix.EAGAIN) {
			continue
		}
		return n, err
	}
	return 0, fmt.Errorf("read the task_file iterator: EAGAIN %d times in a row", maxAgain)
}
