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

// bpfScan is the loaded task_file iterator and the inodes its map has
// room for.
type bpfScan struct {
	it   *taskfd.Iterator
	room int
}

func (b *bpfScan) close() {
	if b != nil {
		b.it.Close()
	}
}

// scanBPF fills b with one run of the task_file iterator (see load). It
// needs the live /proc (the kernel's processes are the ones the iterator
// sees), the initial PID namespace and whatever loading a BPF program
// needs (root or CAP_BPF with CAP_PERFMON, kernel BTF, kernel 5.11);
// otherwise the error wraps ErrNoIterator.
func (s *scanner) scanBPF(b *batchScan) error {
	if r := s.takeEarly(); r != nil {
		return s.scanAfterEarly(b, r)
	}
	states := s.iteratorStates(b)
	lookups := b.lookupInodes(StateSet(states.Report))
	n := 0
	for range lookups {
		n++
	}
	if err := s.load(n); err != nil {
		return err
	}
	c := newCollector(b)
	s.runs++
	if err := s.bpf.it.Sockets(lookups, n, states, c.visit); err != nil {
		return err // wraps ErrNoIterator when the iterator could not run
	}
	s.finishBPF(b, c)
	return nil
}

// collector turns the iterator's records into one reader's hits of a
// batch.
type collector struct {
	h     *hits
	procs map[uint32]*ProcessSockets
	// spare stands for a process not met yet, until one of its sockets is
	// in a set: the sockets reported whole include other namespaces', and
	// a process allocated for each of their records was 0.9 MB of garbage
	// in a check of a million sockets.
	spare *ProcessSockets
}

func newCollector(b *batchScan) *collector {
	return &collector{h: b.hits(), procs: make(map[uint32]*ProcessSockets), spare: &ProcessSockets{}}
}

// visit adds one record.
func (c *collector) visit(f taskfd.File) {
	p := c.procs[f.TGID]
	if p == nil {
		p = c.spare
		p.PID = int(f.TGID)
	}
	c.h.add(p, uint64(f.Inode))
	if p == c.spare && p.States != nil { // some set holds one of its sockets
		c.procs[f.TGID], c.spare = p, &ProcessSockets{}
	}
}

// finishBPF names the processes c found and merges them into b.
func (s *scanner) finishBPF(b *batchScan, c *collector) {
	for _, p := range c.procs {
		p.Command = readComm(filepath.Join(s.fsys.root, strconv.Itoa(p.PID), "comm"))
	}
	b.merge(c.h)
	b.method = AttributionBPF
}

// load loads the iterator, once, with room for n inodes or
// AttributionBatch, whichever is more; again only for a batch that needs
// more room. Once it failed it fails again with the same error.
func (s *scanner) load(n int) error {
	if s.noBPF != nil {
		return s.noBPF
	}
	if s.bpf != nil && s.bpf.room >= n {
		return nil
	}
	s.bpf.close()
	s.bpf = nil
	room := max(n, AttributionBatch)
	it, err := s.loadBPF(room)
	if err != nil {
		s.noBPF = err
		return err
	}
	s.bpf = &bpfScan{it: it, room: room}
	return nil
}

// preload loads the iterator before the census when attribution will
// want it (see willScanBPF). Loading reads the kernel's BTF in passes
// with a 32 KiB buffer and allocates about 200 KB (docs/benchmarks.md),
// so it adds little to the census's peak whenever it runs; loading first
// keeps a failure for the first batch, which then falls back as it would
// have.
func (s *scanner) preload() {
	if !s.willScanBPF() {
		return
	}
	_ = s.load(0)
}

// iteratorStates returns the states of one run: the scanner's, those of
// s.whole reported whatever their inode when the batch holds at least
// s.wholeMin inodes (see reportWholeMin); hits.add drops the sockets of no
// set.
func (s *scanner) iteratorStates(b *batchScan) taskfd.States {
	whole := s.states & s.whole
	if b.size() < s.wholeMin {
		whole = 0
	}
	return taskfd.States{Lookup: uint32(s.states &^ whole), Report: uint32(whole)}
}

// loadBPF loads the iterator where it can run, with room for n inodes.
func (s *scanner) loadBPF(n int) (*taskfd.Iterator, error) {
	if !s.fsys.Live() {
		return nil, fmt.Errorf("%w: proc root %s is not the live /proc", ErrNoIterator, s.fsys.root)
	}
	if !initialPIDNamespace() {
		return nil, fmt.Errorf("%w: the iterator reports PIDs of the initial PID namespace, and this process runs in another", ErrNoIterator)
	}
	return taskfd.Load(n)
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
