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

// bpfScan is the loaded task_file iterator.
type bpfScan struct {
	it *taskfd.Iterator
}

func (b *bpfScan) close() {
	if b != nil {
		b.it.Close()
	}
}

// scanBPF fills b with one run of the task_file iterator, loaded at the
// first batch with room for it or AttributionBatch inodes, whichever is
// more (later batches are no larger). It needs the live /proc (the
// kernel's processes are the ones the iterator sees), the initial PID
// namespace and whatever loading a BPF program needs (root or CAP_BPF with
// CAP_PERFMON, kernel BTF, kernel 5.8); otherwise the error wraps
// ErrNoIterator.
func (s *scanner) scanBPF(b *batchScan) error {
	if s.noBPF != nil {
		return s.noBPF
	}
	if s.bpf == nil {
		it, err := s.loadBPF(b.size())
		if err != nil {
			s.noBPF = err
			return err
		}
		s.bpf = &bpfScan{it: it}
	}
	h := b.hits()
	procs := make(map[uint32]*ProcessSockets)
	states := s.iteratorStates(b)
	inodes := b.lookupInodes(StateSet(states.Report))
	err := s.bpf.it.Sockets(inodes, b.size(), states, func(f taskfd.File) {
		p := procs[f.TGID]
		if p == nil {
			p = &ProcessSockets{PID: int(f.TGID)}
		}
		h.add(p, uint64(f.Inode))
		if p.States != nil { // some set holds one of its sockets
			procs[f.TGID] = p
		}
	})
	if err != nil {
		return err // wraps ErrNoIterator when the iterator could not run
	}
	for _, p := range procs {
		p.Command = readComm(filepath.Join(s.fsys.root, strconv.Itoa(p.PID), "comm"))
	}
	b.merge(h)
	b.method = AttributionBPF
	return nil
}

// iteratorStates returns the states of one run: the scanner's, those of
// s.whole reported whatever their inode when the batch is large enough
// for the map's fill and lookups to cost more than reading them all
// (hits.add drops the sockets of no set).
func (s *scanner) iteratorStates(b *batchScan) taskfd.States {
	whole := s.states & s.whole
	if b.size() < reportWholeMin {
		whole = 0
	}
	return taskfd.States{Lookup: uint32(s.states &^ whole), Report: uint32(whole)}
}

// reportWholeMin is the size of a batch from which the iterator reports
// the sockets in the scanner's whole states without looking them up: a
// million sockets, a fifth in CLOSE_WAIT, spend 0.3 s filling and looking
// up the map (docs/benchmarks.md).
const reportWholeMin = 4096

// loadBPF loads the iterator where it can run.
func (s *scanner) loadBPF(n int) (*taskfd.Iterator, error) {
	if !s.fsys.Live() {
		return nil, fmt.Errorf("%w: proc root %s is not the live /proc", ErrNoIterator, s.fsys.root)
	}
	if !initialPIDNamespace() {
		return nil, fmt.Errorf("%w: the iterator reports PIDs of the initial PID namespace, and this process runs in another", ErrNoIterator)
	}
	return taskfd.Load(max(n, AttributionBatch))
}

// procPIDInitIno is the inode of the initial PID namespace's nsfs file
// (PROC_PID_INIT_INO, docs/kernel-facts.md §29).
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
