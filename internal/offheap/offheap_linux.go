//go:build linux

package offheap

import (
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// mapSlice maps room for n values of T; nil Memory when it cannot.
func mapSlice[T any](n int) ([]T, *Memory) {
	var zero T
	size := uintptr(n) * unsafe.Sizeof(zero)
	if size == 0 || size/unsafe.Sizeof(zero) != uintptr(n) || size > 1<<40 {
		return nil, nil
	}
	b, err := unix.Mmap(-1, 0, int(size), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		return nil, nil
	}
	m := &Memory{b: b}
	runtime.AddCleanup(m, func(b []byte) { _ = unix.Munmap(b) }, b)
	return unsafe.Slice((*T)(unsafe.Pointer(&b[0])), n)[:0], m
}
