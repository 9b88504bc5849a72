//go:build linux

package taskfd

import (
	"encoding/binary"
	"errors"
	"fmt"
	"iter"
	"unsafe"

	"golang.org/x/sys/unix"
)

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

// put writes keys with their values (zeros) into the hash map fd with one
// batch update (Linux 5.6), or one by one where the kernel has none.
func put(fd int, keys []uint32, values []uint8) error {
	attr := mapBatchAttr{keys: unsafe.Pointer(&keys[0]), values: unsafe.Pointer(&values[0]), count: uint32(len(keys)), mapFD: uint32(fd)}
	_, err := bpf(unix.BPF_MAP_UPDATE_BATCH, unsafe.Pointer(&attr), unsafe.Sizeof(attr))
	if err == nil || !unsupported(err) {
		return err
	}
	for i := range keys {
		if err := updateElem(fd, unsafe.Pointer(&keys[i]), unsafe.Pointer(&values[i])); err != nil {
			return err
		}
	}
	return nil
}

// drain deletes every key of the hash map fd, which has room for at most
// room keys, fillChunk at a time (batch operations: Linux 5.6, before the
// 5.11 the program needs). Each call returns at least one key until the
// map is empty (ENOENT), so room calls and one more are enough.
func drain(fd, room int) error {
	keys, values := make([]uint32, fillChunk), make([]uint8, fillChunk)
	var token uint32 // a hash map's batch position: a bucket
	attr := mapBatchAttr{outBatch: unsafe.Pointer(&token), keys: unsafe.Pointer(&keys[0]), values: unsafe.Pointer(&values[0]), mapFD: uint32(fd)}
	for range room + 1 {
		attr.count = fillChunk
		_, err := bpf(unix.BPF_MAP_LOOKUP_AND_DELETE_BATCH, unsafe.Pointer(&attr), unsafe.Sizeof(attr))
		if errors.Is(err, unix.ENOENT) {
			return nil
		}
		if err != nil {
			return err
		}
		attr.inBatch = unsafe.Pointer(&token)
	}
	return fmt.Errorf("the map still holds keys after %d batches", room+1)
}

// setStates writes the states of the next run into the states map, which
// the program reads at every run (docs/kernel-facts.md §47).
func setStates(fd int, states States) error {
	var key uint32
	var value [statesLen]byte
	ne := binary.NativeEndian
	ne.PutUint32(value[statesReport:], states.Report)
	ne.PutUint32(value[statesLookup:], states.Lookup)
	if err := updateElem(fd, unsafe.Pointer(&key), unsafe.Pointer(&value[0])); err != nil {
		return fmt.Errorf("states: %w", err)
	}
	return nil
}
