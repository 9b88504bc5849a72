//go:build linux

package taskfd

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"github.com/cilium/ebpf/rlimit"
)

// recordLen is the size of struct record in taskfd.bpf.c.
const recordLen = 16

// Sockets loads the iterator with the wanted map holding inodes, runs it
// once and calls visit for every descriptor that refers to one of them.
// Errors of loading and attaching wrap ErrUnavailable; the caller may
// then read the descriptors another way.
func Sockets(inodes []uint32, visit func(File)) error {
	if len(inodes) == 0 {
		return nil
	}
	objs, err := load(inodes)
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
func load(inodes []uint32) (*taskfdObjects, error) {
	_ = rlimit.RemoveMemlock() // kernels before 5.11 charge maps to RLIMIT_MEMLOCK
	spec, err := loadTaskfd()
	if err != nil {
		return nil, err
	}
	spec.Maps[taskfdMapWanted].MaxEntries = uint32(len(inodes))
	var objs taskfdObjects
	if err := spec.LoadAndAssign(&objs, nil); err != nil {
		return nil, fmt.Errorf("%w: load: %w", ErrUnavailable, err)
	}
	values := make([]uint8, len(inodes))
	if _, err := objs.Wanted.BatchUpdate(inodes, values, nil); err != nil {
		if !errors.Is(err, ebpf.ErrNotSupported) {
			objs.Close()
			return nil, fmt.Errorf("%w: fill the inode map: %w", ErrUnavailable, err)
		}
		for _, ino := range inodes {
			if err := objs.Wanted.Put(ino, uint8(0)); err != nil {
				objs.Close()
				return nil, fmt.Errorf("%w: fill the inode map: %w", ErrUnavailable, err)
			}
		}
	}
	return &objs, nil
}

// read decodes the records of the seq file.
func read(r io.Reader, visit func(File)) error {
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
		visit(File{TGID: ne.Uint32(b[0:]), FD: ne.Uint32(b[4:]), Inode: ne.Uint32(b[8:])})
	}
}
