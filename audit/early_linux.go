//go:build linux && !tcpaudit_portable

package audit

import (
	"encoding/binary"
	"sync/atomic"

	"github.com/tcpaudit/tcpaudit/audit/taskfd"
	"github.com/tcpaudit/tcpaudit/internal/offheap"
)

// earlyRun is a run of the task_file iterator for the CLOSE_WAIT sockets
// of every process, started when the census meets its first CLOSE_WAIT
// socket (withEarlyRun): it walks the processes' descriptors on one core
// while the census walks the kernel's socket table on another, and its
// records wait for the census to end (docs/benchmarks.md).
//
// A socket stays in CLOSE_WAIT until its holder closes it, so one the
// census saw in CLOSE_WAIT and the run saw held is attributed as if the run
// had come after the census. The census's CLOSE_WAIT sockets the run did
// not see held (they entered CLOSE_WAIT after the run passed their holder,
// or no process holds them) are looked up by a run after the census, as
// are the sockets of other states.
type earlyRun struct {
	done chan struct{}
	stop atomic.Bool
	// inodes are the sockets' inodes in the order the iterator wrote them,
	// off the Go heap, each the zigzag varint of its difference from the
	// one before in its process (a process's sockets were mostly opened in
	// the order of their descriptors: 1 to 3 bytes each where 4 would
	// hold the inode); runs split them by process.
	inodes []byte
	mem    *offheap.Memory
	runs   []processRun
	// last is the inode of the record before, in the same process.
	last uint32
	// over says the run met more sockets than the bounds keep: it is not
	// used.
	over bool
	err  error
}

// processRun ends the inodes of one process: those before end and after
// the previous run's end.
type processRun struct{ tgid, end uint32 }

// The bounds of an early run's records: maxEarlyBytes of inodes (1 MiB of
// address space, resident as it fills: at most 5 bytes an inode, about 1
// for the sockets of a connection-heavy process) and maxEarlyRuns
// processes. A host with more CLOSE_WAIT sockets held attributes them
// after the census, AttributionBatch at a time.
const (
	maxEarlyBytes = 1 << 20
	maxEarlyRuns  = 1 << 16
)

// noInodes is an empty sequence: an early run looks no inode up.
func noInodes(func(uint32) bool) {}

// startEarly starts the early run when the iterator is loaded and no run
// was started before.
func (s *scanner) startEarly() {
	if s.bpf == nil || s.early != nil || s.earlyDone {
		return
	}
	r := &earlyRun{done: make(chan struct{})}
	r.inodes, r.mem = offheap.Make[byte](maxEarlyBytes)
	s.early = r
	s.runs++
	it := s.bpf.it
	go func() {
		defer close(r.done)
		r.err = it.SocketsWhile(noInodes, 0, taskfd.States{Report: uint32(StatesOf(CloseWait))}, r.add)
	}()
}

// add keeps one record; false stops the run.
func (r *earlyRun) add(f taskfd.File) bool {
	if r.stop.Load() {
		return false
	}
	if cap(r.inodes)-len(r.inodes) < binary.MaxVarintLen64 {
		r.over = true
		return false
	}
	if n := len(r.runs); n == 0 || r.runs[n-1].tgid != f.TGID {
		if n == maxEarlyRuns {
			r.over = true
			return false
		}
		r.runs = append(r.runs, processRun{tgid: f.TGID})
		r.last = 0
	}
	r.inodes = binary.AppendVarint(r.inodes, int64(f.Inode)-int64(r.last))
	r.last = f.Inode
	r.runs[len(r.runs)-1].end = uint32(len(r.inodes))
	return true
}

// each calls fn with every record, in the order the iterator wrote them.
func (r *earlyRun) each(fn func(taskfd.File)) {
	start := 0
	for _, p := range r.runs {
		b, ino := r.inodes[start:p.end], int64(0)
		for len(b) > 0 {
			d, n := binary.Varint(b)
			ino += d
			b = b[n:]
			fn(taskfd.File{TGID: p.tgid, Inode: uint32(ino)})
		}
		start = int(p.end)
	}
}

// takeEarly waits for the early run and returns it, once: nil when none
// was started, or it failed or overflowed (the batch then runs the
// iterator itself).
func (s *scanner) takeEarly() *earlyRun {
	r := s.early
	if r == nil {
		return nil
	}
	s.early, s.earlyDone = nil, true
	<-r.done
	if r.err != nil || r.over {
		return nil
	}
	return r
}

// stopEarly stops an early run no batch took and waits for it to end.
func (s *scanner) stopEarly() {
	if r := s.early; r != nil {
		r.stop.Store(true)
		<-r.done
		s.early, s.earlyDone = nil, true
	}
}

// scanAfterEarly fills b from the early run r and, when some inodes of
// b's sets are still without a holder, one run of the iterator that looks
// them up.
func (s *scanner) scanAfterEarly(b *batchScan, r *earlyRun) error {
	c := newCollector(b)
	r.each(c.visit)
	rest := b.unheldInodes()
	n := 0
	for range rest {
		n++
	}
	if n > 0 {
		if err := s.load(n); err != nil {
			return err
		}
		s.runs++
		if err := s.bpf.it.Sockets(rest, n, taskfd.States{Lookup: uint32(s.states)}, c.visit); err != nil {
			return err
		}
	}
	s.finishBPF(b, c)
	return nil
}
