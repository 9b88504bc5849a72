//go:build linux && !tcpaudit_portable

package audit

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"

	"github.com/tcpaudit/tcpaudit/audit/taskfd"
)

// scanBPF fills b with one run of the task_file iterator. It needs the
// live /proc (the kernel's processes are the ones the iterator sees) and
// whatever loading a BPF program needs (root or CAP_BPF with
// CAP_PERFMON, kernel BTF, kernel 5.8); otherwise the error wraps
// ErrNoIterator.
func (fsys FS) scanBPF(b *batchScan) error {
	if !fsys.Live() {
		return fmt.Errorf("%w: proc root %s is not the live /proc", ErrNoIterator, fsys.root)
	}
	if !initialPIDNamespace() {
		return fmt.Errorf("%w: the iterator reports PIDs of the initial PID namespace, and this process runs in another", ErrNoIterator)
	}
	h := b.hits()
	procs := make(map[uint32]*ProcessSockets)
	err := taskfd.Sockets(b.inodes, b.size(), func(f taskfd.File) {
		p := procs[f.TGID]
		if p == nil {
			p = &ProcessSockets{PID: int(f.TGID)}
			procs[f.TGID] = p
		}
		h.add(p, uint64(f.Inode))
	})
	if err != nil {
		return err // wraps ErrNoIterator when the iterator could not run
	}
	for _, p := range procs {
		p.Command = readComm(filepath.Join(fsys.root, strconv.Itoa(p.PID), "comm"))
	}
	b.merge(h)
	b.method = AttributionBPF
	return nil
}

// procPIDInitIno is the inode of the initial PID namespace's nsfs file
// (PROC_PID_INIT_INO, docs/kernel-facts.md §25).
const procPIDInitIno = 0xEFFFFFFC

// initialPIDNamespace reports whether this process runs in the initial PID
// namespace, where /proc numbers processes as task->tgid does.
func initialPIDNamespace() bool {
	st, err := os.Stat("/proc/self/ns/pid")
	if err != nil {
		return false
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	return ok && sys.Ino == procPIDInitIno
}
