package audit

import (
	"errors"
	"iter"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
)

// compactCloseWait keeps the census's CLOSE_WAIT inodes in a compactSet,
// which gatherOwners joins with the processes' sockets in a bit or two an
// inode (see ownerJoin), where the claims of an InodeSet take 8 bytes (1.5
// MB of a check's peak at a million sockets, docs/benchmarks.md).
func compactCloseWait() CensusOption {
	return func(c *Census) { c.closeWait.makeCompact() }
}

// ownersCompact is gatherOwners for a census that kept its CLOSE_WAIT
// inodes in a compactSet: one pass over the processes (the iterator's run,
// else the descriptor scan) finds their holders, and the inodes of b's sets
// (the detailed ones and the heavy destinations'); an ownerJoin counts each
// CLOSE_WAIT socket once, for the first process found holding it, and the
// sockets found shared are looked up again to name their other holders
// and count them for the lowest PID. ok is false when it cannot run (no
// compact set, or more CLOSE_WAIT sockets than it keeps; a scoped census):
// gatherOwners then attributes in batches.
func (fsys FS) ownersCompact(f *Facts, sc *scanner, details map[uint64]State, fl flowSet) (Attribution, bool, error) {
	h := f.Census.closeWait
	if h == nil || h.compact == nil || h.overflowed() || fsys.scope != nil {
		return Attribution{}, false, nil
	}
	j, b, err := fsys.joinOwners(sc, h.compact, func() *batchScan {
		return newBatchScan(NewInodeSet(details), fl.set)
	}, StatesOf(Listen)|fl.states)
	if err == nil {
		err = j.nameShared(sc)
	}
	if err != nil {
		return Attribution{}, true, err
	}
	acc := newOwnerCount(nil)
	acc.a.Batches, acc.a.Method, acc.a.Unreadable = 1, b.method, b.unreadable
	b.each(func(k int, ino uint32, st State, hd Holder, ok bool) {
		switch {
		case !ok:
		case k == 1:
			acc.ownFlow(fl.flows[st-1], hd)
		default:
			acc.a.Holders[uint64(ino)] = hd
		}
	})
	for pid, o := range j.owners {
		if o.Command = b.command(pid); o.Command == "?" {
			o.Command = readComm(filepath.Join(fsys.root, strconv.Itoa(pid), "comm"))
		}
	}
	acc.owners = j.owners
	acc.a.Unattributed = j.set.n - j.held.n
	for ino := range j.unheld() {
		if acc.unheld.Len() == AttributionBatch {
			break
		}
		acc.unheld.add(ino)
	}
	a := acc.result()
	fsys.countClosed(f, &acc.unheld, &a)
	return a, true, nil
}

// joinOwners joins set with the processes' sockets in one pass, the
// iterator's when sc has it loaded (falling back to the descriptor scan
// when it cannot run, unless asked for by name), and fills the batchScan
// sets makes with the holders of its inodes (looked up in the states of
// lookup by the iterator).
func (fsys FS) joinOwners(sc *scanner, set *compactSet, sets func() *batchScan, lookup StateSet) (*ownerJoin, *batchScan, error) {
	if sc.bpf != nil {
		j, b := newOwnerJoin(set), sets()
		err := sc.joinBPF(j, b, lookup)
		switch {
		case err == nil:
			b.finish()
			b.method = AttributionBPF
			return j, b, nil
		case fsys.attribution == AttributionBPF || !errors.Is(err, ErrNoIterator):
			return nil, nil, err
		}
		sc.noBPF = err
	}
	j, b := newOwnerJoin(set), sets()
	if err := fsys.joinFDs(j, b); err != nil {
		return nil, nil, err
	}
	b.finish()
	return j, b, nil
}

// joinFDs is scanFDs handing each process's sockets of j's set to j, one
// process at a time and in the order of the scan, its PIDs ascending (see
// fdJoin).
func (fsys FS) joinFDs(j *ownerJoin, b *batchScan) error {
	o := &joinOrder{done: make(map[int]bool)}
	o.cond = sync.NewCond(&o.mu)
	return fsys.scanFDsWith(b, func() processHook { return &fdJoin{order: o, j: j, buf: make([]uint32, 0, fdJoinBuffer)} })
}

// joinOrder lets the descriptor scan's workers join their processes in
// the scan's order, so that a socket several processes hold counts for
// the first of them, as the iterator's walk does: the process of index i
// joins once every process before it is done (next == i). A process with
// none of the set's sockets waits for nothing.
type joinOrder struct {
	mu   sync.Mutex
	cond *sync.Cond
	next int
	// done holds the processes done past next.
	done map[int]bool
}

// wait waits for the turn of process i.
func (o *joinOrder) wait(i int) {
	o.mu.Lock()
	for o.next != i {
		o.cond.Wait()
	}
	o.mu.Unlock()
}

// finish marks process i done.
func (o *joinOrder) finish(i int) {
	o.mu.Lock()
	o.done[i] = true
	for o.done[o.next] {
		delete(o.done, o.next)
		o.next++
	}
	o.mu.Unlock()
	o.cond.Broadcast()
}

// fdJoin hands the sockets of the set that the descriptor scan finds in
// one process to the join when the process's turn comes (see joinOrder):
// it keeps up to fdJoinBuffer of them, and a process holding more waits
// for its turn and joins the rest as they come.
type fdJoin struct {
	order  *joinOrder
	j      *ownerJoin
	i      int
	buf    []uint32
	inTurn bool
}

// fdJoinBuffer is the sockets an fdJoin keeps (16 KiB).
const fdJoinBuffer = 4096

func (f *fdJoin) begin(i int) { f.i, f.inTurn = i, false }

func (f *fdJoin) visit(pid int, ino uint64) {
	if ino > 0xffffffff {
		return
	}
	if _, _, ok := f.j.set.pos(uint32(ino)); !ok {
		return
	}
	if f.inTurn {
		f.j.add(uint32(pid), uint32(ino))
		return
	}
	f.buf = append(f.buf, uint32(ino))
	if len(f.buf) == cap(f.buf) {
		f.order.wait(f.i)
		f.inTurn = true
		f.flush(pid)
	}
}

func (f *fdJoin) end(pid int) {
	if len(f.buf) > 0 && !f.inTurn {
		f.order.wait(f.i)
		f.inTurn = true
	}
	if f.inTurn {
		f.flush(pid)
		f.j.endProcess()
	}
	f.order.finish(f.i)
}

func (f *fdJoin) flush(pid int) {
	for _, ino := range f.buf {
		f.j.add(uint32(pid), ino)
	}
	f.buf = f.buf[:0]
}

// inodes yields the inodes of the set in ascending order.
func (s *compactSet) inodes() iter.Seq[uint32] {
	return func(yield func(uint32) bool) {
		s.each(func(ino uint32, _, _ int) bool { return yield(ino) })
	}
}

// ownerJoin counts the holders of a compactSet's CLOSE_WAIT sockets from
// the sockets of one pass over the processes, given process by process
// (the iterator's records come so, in the order of their PIDs): held marks
// the sockets some process holds, seen those the current process holds (a
// dup()'d descriptor counts once), two bits a socket. Each socket counts
// once, for the first process found holding it; a socket a later process
// holds too (after fork) is noted in shared and looked up again once the
// pass is over (nameShared). With each set, a socket counts for every
// process holding it instead (ProcessesOf).
type ownerJoin struct {
	set        *compactSet
	held, seen *compactMarks
	each       bool
	tgid       uint32
	// marked lists the positions the current process marked seen, cleared
	// when the next process begins; past maxMarked every mark is cleared.
	marked []markPos
	owners map[int]*Owner
	// shared maps the inodes held by several processes to the later ones.
	shared map[uint32][]int
}

type markPos struct{ k, i int32 }

// maxMarked bounds ownerJoin.marked (8 KiB); a process holding more of
// the set clears every word of seen instead, which at most one process
// in maxMarked of the set's sockets does.
const maxMarked = 1 << 10

func newOwnerJoin(s *compactSet) *ownerJoin {
	return &ownerJoin{set: s, held: newCompactMarks(s), seen: newCompactMarks(s), owners: make(map[int]*Owner)}
}

// add joins one socket: process tgid holds inode ino.
func (j *ownerJoin) add(tgid, ino uint32) {
	k, i, ok := j.set.pos(ino)
	if !ok {
		return
	}
	if tgid != j.tgid {
		j.endProcess()
		j.tgid = tgid
	}
	if !j.seen.mark(k, i) {
		return // this process again, through another descriptor
	}
	if len(j.marked) < maxMarked {
		j.marked = append(j.marked, markPos{int32(k), int32(i)})
	}
	if !j.held.mark(k, i) && !j.each {
		if j.shared == nil {
			j.shared = make(map[uint32][]int)
		}
		j.shared[ino] = append(j.shared[ino], int(tgid))
		return
	}
	j.owner(int(tgid)).Sockets++
}

func (j *ownerJoin) owner(pid int) *Owner {
	o := j.owners[pid]
	if o == nil {
		o = &Owner{PID: pid}
		j.owners[pid] = o
	}
	return o
}

// endProcess clears the current process's seen marks.
func (j *ownerJoin) endProcess() {
	if j.seen.n > len(j.marked) {
		j.seen.reset()
	} else {
		for _, p := range j.marked {
			j.seen.clear(int(p.k), int(p.i))
		}
	}
	j.marked = j.marked[:0]
	j.tgid = 0
}

// nameShared looks the shared sockets up in one more pass over the
// processes: each counts for its lowest holding PID, which lists the
// others, as in the batches' claims (the join counted it for the first
// process it met holding it, the holder not among the later ones).
func (j *ownerJoin) nameShared(sc *scanner) error {
	if len(j.shared) == 0 {
		return nil
	}
	m := make(map[uint64]State, len(j.shared))
	for ino := range j.shared {
		m[uint64(ino)] = CloseWait
	}
	sc.states, sc.whole = StatesOf(CloseWait), 0
	b, err := sc.scan(NewInodeSet(m))
	if err != nil {
		return err
	}
	b.each(func(_ int, ino uint32, _ State, h Holder, ok bool) {
		if !ok || len(h.Others) == 0 {
			return // its other holders closed it meanwhile
		}
		if first := j.counted(ino, h); first != 0 && first != h.PID && j.owners[first] != nil {
			if j.owners[first].Sockets--; j.owners[first].Sockets == 0 {
				delete(j.owners, first)
			}
			j.owner(h.PID).Sockets++
		}
		o := j.owners[h.PID]
		if o == nil {
			return
		}
		for _, pid := range h.Others {
			if !slices.Contains(o.Holders, pid) {
				o.Holders = append(o.Holders, pid)
			}
		}
	})
	return nil
}

// counted returns the process the join counted shared socket ino for: the
// one of its holders h not among the later ones, 0 when that is not one
// (the holders changed since).
func (j *ownerJoin) counted(ino uint32, h Holder) int {
	first := 0
	for _, pid := range append([]int{h.PID}, h.Others...) {
		if slices.Contains(j.shared[ino], pid) {
			continue
		}
		if first != 0 {
			return 0
		}
		first = pid
	}
	return first
}

// unheld yields the inodes of the set no process was found holding, in
// ascending order.
func (j *ownerJoin) unheld() iter.Seq[uint32] { return unmarked(j.set, j.held) }

// processesCompactFD is processesOf for a census that kept its CLOSE_WAIT
// inodes in a compactSet where the processes are read by the descriptor
// scan: an ownerJoin counts each socket for every process holding it. ok
// is false when it cannot (no compact set, or more CLOSE_WAIT sockets
// than it keeps; inodes of other states; a socket pass; the iterator
// loaded): processesOf then attributes in batches.
func (fsys FS) processesCompactFD(c *Census, sc *scanner) (ProcessCensus, bool) {
	h := c.closeWait
	if h == nil || h.compact == nil || h.overflowed() || c.inodes != nil || fsys.passUsed() != nil || sc.bpf != nil {
		return ProcessCensus{}, false
	}
	j := newOwnerJoin(h.compact)
	j.each = true
	b := newBatchScan()
	if err := fsys.joinFDs(j, b); err != nil {
		return ProcessCensus{}, false
	}
	pc := ProcessCensus{Root: isRoot(), Scoped: fsys.scoped(), Method: AttributionFDScan, Unreadable: b.unreadable}
	pc.Unattributed = h.compact.n - j.held.n
	for ino := range j.unheld() {
		if pc.Unheld == nil {
			pc.Unheld = &InodeList{}
		}
		if pc.Unheld.Len() == AttributionBatch {
			break
		}
		pc.Unheld.add(ino)
	}
	for pid, o := range j.owners {
		cmd := readComm(filepath.Join(fsys.root, strconv.Itoa(pid), "comm"))
		pc.Processes = append(pc.Processes, ProcessSockets{PID: pid, Command: cmd, Total: o.Sockets, States: map[State]int{CloseWait: o.Sockets}})
	}
	sortProcesses(pc.Processes)
	return pc, true
}
