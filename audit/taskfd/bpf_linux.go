//go:build linux

package taskfd

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unsafe"

	"github.com/tcpaudit/tcpaudit/internal/visible"
	"golang.org/x/sys/unix"
)

// The attributes of the bpf(2) commands used (union bpf_attr in
// include/uapi/linux/bpf.h), up to their last field used; the kernel
// takes a shorter attribute as zeros after it. Pointers are 64-bit
// fields: Load refuses other machines.

type mapCreateAttr struct {
	mapType, keySize, valueSize, maxEntries, mapFlags, innerMapFD, numaNode uint32
	name                                                                    [16]byte
}

type mapElemAttr struct {
	mapFD      uint32
	_          uint32
	key, value unsafe.Pointer
	flags      uint64
}

type mapBatchAttr struct {
	inBatch, outBatch, keys, values unsafe.Pointer
	count, mapFD                    uint32
	elemFlags, flags                uint64
}

type progLoadAttr struct {
	progType, insnCnt                    uint32
	insns, license                       unsafe.Pointer
	logLevel, logSize                    uint32
	logBuf                               unsafe.Pointer
	kernVersion, progFlags               uint32
	name                                 [16]byte
	ifindex, expectedAttachType          uint32
	progBTFFD, funcInfoRecSize           uint32
	funcInfo                             unsafe.Pointer
	funcInfoCnt, lineInfoRecSize         uint32
	lineInfo                             unsafe.Pointer
	lineInfoCnt, attachBTFID, attachFrom uint32
	_                                    uint32
}

type linkCreateAttr struct {
	progFD, targetFD, attachType, flags uint32
	iterInfo                            unsafe.Pointer
	iterInfoLen                         uint32
	_                                   uint32
}

type iterCreateAttr struct{ linkFD, flags uint32 }

// bpf runs the bpf(2) command cmd with the size bytes of attr and returns
// what it returns: a new descriptor for the commands that make one.
func bpf(cmd int, attr unsafe.Pointer, size uintptr) (int, error) {
	r, _, errno := unix.Syscall(unix.SYS_BPF, uintptr(cmd), uintptr(attr), size)
	if errno != 0 {
		return -1, errno
	}
	return int(r), nil
}

// objName returns a map's or program's name as the kernel takes it.
func objName(s string) (n [16]byte) {
	copy(n[:len(n)-1], s)
	return n
}

// createMap creates a map and returns its descriptor.
func createMap(typ, key, value, entries, flags uint32, name string) (int, error) {
	attr := mapCreateAttr{mapType: typ, keySize: key, valueSize: value, maxEntries: entries, mapFlags: flags, name: objName(name)}
	fd, err := bpf(unix.BPF_MAP_CREATE, unsafe.Pointer(&attr), unsafe.Sizeof(attr))
	if err != nil {
		return -1, fmt.Errorf("create map %s: %w", name, err)
	}
	return fd, nil
}

// updateElem sets the value of key in map fd.
func updateElem(fd int, key, value unsafe.Pointer) error {
	attr := mapElemAttr{mapFD: uint32(fd), key: key, value: value}
	_, err := bpf(unix.BPF_MAP_UPDATE_ELEM, unsafe.Pointer(&attr), unsafe.Sizeof(attr))
	return err
}

// license is the program's licence: the helpers it calls are GPL-only.
const license = "Dual MIT/GPL"

// verifierLog is the size of the buffer for the verifier's log of a
// program it refused: a few kilobytes for this one.
const verifierLog = 64 << 10

// loadProgram loads insns as a task_file iterator program attached to the
// BTF ID attach. When the kernel refuses it, it loads it again with the
// verifier's log, whose last lines the error quotes.
func loadProgram(insns []insn, attach uint32) (int, error) {
	code := encode(insns, binary.NativeEndian)
	lic := []byte(license + "\x00")
	attr := progLoadAttr{
		progType: unix.BPF_PROG_TYPE_TRACING, insnCnt: uint32(len(insns)),
		insns: unsafe.Pointer(&code[0]), license: unsafe.Pointer(&lic[0]),
		name: objName("socket_files"), expectedAttachType: unix.BPF_TRACE_ITER, attachBTFID: attach,
	}
	fd, err := bpf(unix.BPF_PROG_LOAD, unsafe.Pointer(&attr), unsafe.Sizeof(attr))
	if err == nil {
		return fd, nil
	}
	log := make([]byte, verifierLog)
	attr.logLevel, attr.logSize, attr.logBuf = 1, uint32(len(log)), unsafe.Pointer(&log[0])
	if fd, again := bpf(unix.BPF_PROG_LOAD, unsafe.Pointer(&attr), unsafe.Sizeof(attr)); again == nil {
		return fd, nil
	}
	return -1, fmt.Errorf("load the program: %w%s", err, logTail(log))
}

// logTail returns the last lines of a verifier log, made safe to print,
// or nothing when the log is empty.
func logTail(log []byte) string {
	log, _, _ = bytes.Cut(log, []byte{0})
	lines := slices.DeleteFunc(strings.Split(strings.TrimSpace(string(log)), "\n"), func(l string) bool {
		return l == "" || strings.HasPrefix(l, "processed ") || strings.HasPrefix(l, "verification time")
	})
	if len(lines) == 0 {
		return ""
	}
	return " (verifier: " + visible.Message(strings.Join(lines[max(0, len(lines)-3):], "; ")) + ")"
}

// attach attaches the program prog as an iterator and returns the link,
// which must stay open while the iterator runs.
func attach(prog int) (int, error) {
	attr := linkCreateAttr{progFD: uint32(prog), attachType: unix.BPF_TRACE_ITER}
	fd, err := bpf(unix.BPF_LINK_CREATE, unsafe.Pointer(&attr), unsafe.Sizeof(attr))
	if err != nil {
		return -1, fmt.Errorf("attach: %w", err)
	}
	return fd, nil
}

// open returns a new descriptor of the iterator of link: each read of it
// runs the program on the next objects.
func open(link int) (int, error) {
	attr := iterCreateAttr{linkFD: uint32(link)}
	fd, err := bpf(unix.BPF_ITER_CREATE, unsafe.Pointer(&attr), unsafe.Sizeof(attr))
	if err != nil {
		return -1, fmt.Errorf("open: %w", err)
	}
	return fd, nil
}

// errNotSupp is the kernel's ENOTSUPP (524), which user space has no name
// for: a command the map does not implement.
const errNotSupp = unix.Errno(524)

// unsupported reports whether err says a command is not implemented.
func unsupported(err error) bool {
	return errors.Is(err, errNotSupp) || errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, unix.EINVAL)
}
