//go:build linux && !tcpaudit_portable

package audit

import (
	"cmp"
	"encoding/binary"
	"iter"
	"path/filepath"
	"runtime"
	"strconv"
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
	// full is closed when the records filled the bounds: the run then
	// waits, its place in the walk kept, for resume to hand it where the
	// records go from then on (a batch's collector, once the census is
	// complete: the kept records first), or nil to stop. A run without
	// these channels (one the caller reads itself) stops instead, and
	// says so in over.
	full   chan struct{}
	resume chan func(taskfd.File)
	sink   func(taskfd.File)
	over   bool
	err    error
}

// processRun ends the inodes of one process: those before end and after
// the previous run's end.
type processRun struct{ tgid, end uint32 }

// The bounds of an early run's records: maxEarlyBytes of inodes (1 MiB of
// address space, resident as it fills: at most 5 bytes an inode, about 1
// for the sockets of a connection-heavy process) and maxEarlyRuns
// processes. A run that fills them waits, its place in the walk kept, and
// the first batch, once the census is complete, takes the records kept and
// the rest of the walk: one walk of the descriptors whatever their number.
const (
	maxEarlyBytes = 1 << 20
	maxEarlyRuns  = 1 << 16
)

// noInodes is an empty sequence: an early run looks no inode up.
func noInodes(func(uint32) bool) {}

// startEarly starts the early run when the iterator is loaded and no run
// was started before.
func (s *scanner) startEarly() {
	if !s.canStartEarly() {
		return
	}
	r := newEarlyRun(cmp.Or(s.earlyBytes, maxEarlyBytes))
	r.full, r.resume = make(chan struct{}), make(chan func(taskfd.File))
	s.early = r
	s.runs++
	it := s.bpf.it
	go func() {
		defer close(r.done)
		r.err = it.SocketsWhile(noInodes, 0, taskfd.States{Report: uint32(StatesOf(CloseWait))}, r.add)
	}()
}

// newEarlyRun returns a run whose records take at most size bytes.
func newEarlyRun(size int) *earlyRun {
	r := &earlyRun{done: make(chan struct{})}
	r.inodes, r.mem = offheap.Make[byte](size)
	return r
}

// add keeps one record, or hands it to the sink; false stops the run.
func (r *earlyRun) add(f taskfd.File) bool {
	switch {
	case r.stop.Load():
		return false
	case r.sink != nil:
		r.sink(f)
		return true
	case r.keep(f):
		return true
	case r.full == nil:
		r.over = true
		return false
	}
	close(r.full)
	sink := <-r.resume
	if sink == nil {
		return false
	}
	r.each(sink)
	r.inodes, r.runs, r.sink = r.inodes[:0], nil, sink
	sink(f)
	return true
}

// keep keeps one record, when the bounds leave room for it.
func (r *earlyRun) keep(f taskfd.File) bool {
	if cap(r.inodes)-len(r.inodes) < binary.MaxVarintLen64 {
		return false
	}
	if n := len(r.runs); n == 0 || r.runs[n-1].tgid != f.TGID {
		if n == maxEarlyRuns {
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

// splitProcess reports whether the records of one process come in two
// runs or more: the iterator walks the descriptor tables of threads that
// unshared theirs (unshare(CLONE_FILES)) in the order of their thread IDs,
// so another process's records can come between a process's tables.
func (r *earlyRun) splitProcess() bool {
	seen := make(map[uint32]struct{}, len(r.runs))
	for _, p := range r.runs {
		if _, ok := seen[p.tgid]; ok {
			return true
		}
		seen[p.tgid] = struct{}{}
	}
	return false
}

// each calls fn with every record, in the order the iterator wrote them.
func (r *earlyRun) each(fn func(taskfd.File)) {
	r.eachRun(func(tgid uint32, inodes []byte) {
		decodeRun(inodes, func(ino uint32) { fn(taskfd.File{TGID: tgid, Inode: ino}) })
	})
}

// eachRun calls fn with every process's run of encoded inodes.
func (r *earlyRun) eachRun(fn func(tgid uint32, inodes []byte)) {
	start := 0
	for _, p := range r.runs {
		fn(p.tgid, r.inodes[start:p.end])
		start = int(p.end)
	}
	runtime.KeepAlive(r) // r.mem holds the mapping r.inodes lies in
}

// decodeRun calls fn with each inode of a run.
func decodeRun(b []byte, fn func(uint32)) {
	ino := int64(0)
	for len(b) > 0 {
		d, n := binary.Varint(b)
		if n <= 0 {
			return
		}
		ino += d
		b = b[n:]
		fn(uint32(ino))
	}
}

// canStartEarly reports whether startEarly would start a run.
func (s *scanner) canStartEarly() bool { return s.bpf != nil && s.early == nil && !s.earlyDone }

// wait waits until the run ended or filled its bounds, and reports
// whether it filled them (it then waits for resume); not after a resume.
func (r *earlyRun) wait() (paused bool) {
	select {
	case <-r.done:
		return false
	case <-r.full:
		return true
	}
}

// takeEarly waits until the early run ended or filled its bounds and
// returns it, once: nil when none was started or it failed (the batch
// then runs the iterator itself).
func (s *scanner) takeEarly() *earlyRun {
	r := s.early
	if r == nil {
		return nil
	}
	s.early, s.earlyDone = nil, true
	if !r.wait() && r.err != nil {
		return nil
	}
	return r
}

// stopEarly stops an early run no batch took and waits for it to end.
func (s *scanner) stopEarly() {
	if r := s.early; r != nil {
		r.stop.Store(true)
		select {
		case r.resume <- nil:
		case <-r.done:
		}
		<-r.done
		s.early, s.earlyDone = nil, true
	}
}

// scanAfterEarly fills b from the early run r (resuming it where it
// filled its bounds) and, when some inodes of b's sets are still without a
// holder, one run of the iterator that looks them up.
func (s *scanner) scanAfterEarly(b *batchScan, r *earlyRun) error {
	c := newCollector(b)
	if r.wait() { // the rest of the walk goes to c, after the records kept
		r.resume <- c.visit
		<-r.done
		if r.err != nil {
			return r.err
		}
	} else {
		r.each(c.visit)
	}
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

// processesCompact is processesOf for a census that kept its CLOSE_WAIT
// inodes in a compactSet (withEarlyRun) and whose early run ran: it joins
// the run's records with the set by marks of a bit an inode, where an
// InodeSet would take 8 bytes an inode, and looks up the inodes the run
// did not see held in one more run. ok is false when it cannot (no early
// run, or it failed or filled its bounds; more CLOSE_WAIT sockets than the
// compact set keeps; inodes of other states; a socket pass): processesOf
// then attributes as it would have.
func (fsys FS) processesCompact(c *Census, sc *scanner) (pc ProcessCensus, ok bool) {
	h := c.closeWait
	if h == nil || h.compact == nil || h.overflowed() || c.inodes != nil || fsys.passUsed() != nil {
		return pc, false
	}
	if r := sc.early; r == nil || r.wait() || r.err != nil || r.splitProcess() {
		// None, failed, or it filled its bounds (the batch takes the rest of
		// its walk), or a process's descriptors came in two runs: the
		// batch's claims count each socket once for it.
		return pc, false
	}
	r := sc.takeEarly()
	if r == nil {
		return pc, false
	}
	j := newCompactJoin(h.compact)
	j.join(r)
	if left := h.compact.n - j.held.n; left > 0 {
		rest := newEarlyRun(maxEarlyBytes)
		if err := sc.load(left); err != nil {
			return pc, false
		}
		sc.runs++
		err := sc.bpf.it.SocketsWhile(j.unheld(), left, taskfd.States{Lookup: uint32(StatesOf(CloseWait))}, rest.add)
		if err != nil || rest.over || rest.splitProcess() {
			return pc, false
		}
		j.join(rest)
	}
	pc = ProcessCensus{Root: isRoot(), Method: AttributionBPF} // every process walked: not scoped
	pc.Unattributed = h.compact.n - j.held.n
	for ino := range j.unheld() {
		if pc.Unheld == nil {
			pc.Unheld = &InodeList{}
		}
		pc.Unheld.add(ino)
	}
	for _, p := range j.procs {
		p.Command = readComm(filepath.Join(fsys.root, strconv.Itoa(p.PID), "comm"))
		pc.Processes = append(pc.Processes, *p)
	}
	sortProcesses(pc.Processes)
	return pc, true
}

// compactJoin joins the records of iterator runs with a compactSet of
// CLOSE_WAIT inodes: held marks the inodes some process holds, seen those
// the process of the current run was found holding, cleared at the end of
// each run; seen is needed only for a process some of whose sockets an
// earlier one held (after fork), and its chunks are made as it needs them.
type compactJoin struct {
	set        *compactSet
	held, seen *compactMarks
	procs      map[uint32]*ProcessSockets
}

func newCompactJoin(s *compactSet) *compactJoin {
	return &compactJoin{set: s, held: newCompactMarks(s), seen: newCompactMarks(s), procs: make(map[uint32]*ProcessSockets)}
}

// join counts the sockets of the set each process of r holds; a socket
// held by several processes counts for each, one reached through several
// descriptors of a process (dup) once.
func (j *compactJoin) join(r *earlyRun) {
	r.eachRun(func(tgid uint32, inodes []byte) {
		shared := false
		decodeRun(inodes, func(ino uint32) {
			if k, i, ok := j.set.pos(ino); ok && j.held.has(k, i) {
				shared = true
			}
		})
		n := 0
		if !shared {
			// No socket of the run was held before it: a mark already set
			// is this process's, through another descriptor.
			decodeRun(inodes, func(ino uint32) {
				if k, i, ok := j.set.pos(ino); ok && j.held.mark(k, i) {
					n++
				}
			})
		} else {
			decodeRun(inodes, func(ino uint32) {
				if k, i, ok := j.set.pos(ino); ok && j.seen.mark(k, i) {
					j.held.mark(k, i)
					n++
				}
			})
			decodeRun(inodes, func(ino uint32) {
				if k, i, ok := j.set.pos(ino); ok {
					j.seen.clear(k, i)
				}
			})
		}
		if n == 0 {
			return
		}
		p := j.procs[tgid]
		if p == nil {
			p = &ProcessSockets{PID: int(tgid), States: make(map[State]int)}
			j.procs[tgid] = p
		}
		p.Total += n
		p.States[CloseWait] += n
	})
}

// unheld yields the inodes of the set no process was found holding, in
// ascending order.
func (j *compactJoin) unheld() iter.Seq[uint32] { return unmarked(j.set, j.held) }
