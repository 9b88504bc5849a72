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

// Sockets loads the iterator with the wanted map holding the n inodes
// yielded by inodes, runs it once and calls visit for every descriptor
// that refers to one of them. Errors of loading and attaching wrap
// ErrUnavailable; the caller may then read the descriptors another way.
func Sockets(inodes iter.Seq[uint32], n int, visit func(File)) error {
	if n == 0 {
		return nil
	}
	objs, err := load(inodes, n)
	if err != nil {
		return err
	}
	defer objs.Close()
	it, err := link.AttachIter(link.IterOptions{Program: objs.SocketFiles})
	if err != nil {
		return fmt.Errorf("%w: attach: %w", ErrUnavailable, err)
	}
	defer it.Close()
	rd, err := it.Open()
	if err != nil {
		return fmt.Errorf("%w: open: %w", ErrUnavailable, err)
	}
	defer rd.Close()
	return read(rd, visit)
}

// load loads the program and fills its wanted map.
func load(inodes iter.Seq[uint32], n int) (*taskfdObjects, error) {
	_ = rlimit.RemoveMemlock() // kernels before 5.11 charge maps to RLIMIT_MEMLOCK
	spec, err := loadTaskfd()
	if err != nil {
		return nil, err
	}
	spec.Maps[taskfdMapWanted].MaxEntries = uint32(n)
	var objs taskfdObjects
	if err := spec.LoadAndAssign(&objs, nil); err != nil {
		return nil, fmt.Errorf("%w: load: %w", ErrUnavailable, err)
	}
	if err := fill(objs.Wanted, inodes); err != nil {
		objs.Close()
		return nil, fmt.Errorf("%w: fill the inode map: %w", ErrUnavailable, err)
	}
	return &objs, nil
}

// fillChunk is the number of inodes written to the map per batch update.
const fillChunk = 4096

// fill puts the inodes into m, fillChunk at a time.
func fill(m *ebpf.Map, inodes iter.Seq[uint32]) error {
	keys := make([]uint32, 0, fillChunk)
	values := make([]uint8, fillChunk)
	put := func() error {
		if len(keys) == 0 {
			return nil
		}
		_, err := m.BatchUpdate(keys, values[:len(keys)], nil)
		if errors.Is(err, ebpf.ErrNotSupported) { // before 5.6
			for _, k := range keys {
				if err = m.Put(k, uint8(0)); err != nil {
					break
				}
			}
		}
		keys = keys[:0]
		return err
	}
	for ino := range inodes {
		if keys = append(keys, ino); len(keys) == fillChunk {
			if err := put(); err != nil {
				return err
			}
		}
	}
	return put()
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
// docs/kernel-facts.md §24), so the bound stands for 10^10 files.
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
