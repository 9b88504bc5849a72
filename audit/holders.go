package audit

import (
	"maps"
	"slices"
	"sync/atomic"
)

// batchScan is what one pass over the processes found for one InodeSet:
// the sockets of each process by state, and the lowest PID holding each
// inode of the set, so that a socket shared after fork counts once.
type batchScan struct {
	set *InodeSet
	// procs holds the processes holding sockets of the set, each socket
	// counted for every process holding it.
	procs map[int]*ProcessSockets
	// first is the lowest PID holding each inode of the set, 0 for none.
	first []atomic.Int32
	// shared maps the index of each inode held by several processes to
	// their PIDs, in ascending order.
	shared     map[int][]int
	unreadable int
	// Method says how the processes were read (see AttributionMethod).
	method AttributionMethod
}

func newBatchScan(set *InodeSet) *batchScan {
	return &batchScan{set: set, procs: make(map[int]*ProcessSockets), first: make([]atomic.Int32, set.Len()), shared: make(map[int][]int)}
}

// hits is one reader's share of a batchScan: the processes it read and
// the inodes it found already held by another process.
type hits struct {
	scan   *batchScan
	procs  []*ProcessSockets
	shared map[int][]int
}

func (b *batchScan) hits() *hits { return &hits{scan: b, shared: make(map[int][]int)} }

// add records that process p holds the socket of inode ino, if it is in
// the set.
func (h *hits) add(p *ProcessSockets, ino uint64) {
	i, ok := h.scan.set.index(ino)
	if !ok {
		return
	}
	st := h.scan.set.states[i]
	if p.States == nil {
		p.States = make(map[State]int)
		h.procs = append(h.procs, p)
	}
	p.States[st]++
	p.Total++
	h.claim(i, int32(p.PID))
}

// claim makes pid the holder of inode i when it is the lowest so far;
// when another process held it, both PIDs are recorded as sharing it.
func (h *hits) claim(i int, pid int32) {
	f := &h.scan.first[i]
	for {
		old := f.Load()
		if old == pid {
			return // a second descriptor of the same socket
		}
		if old != 0 {
			h.shared[i] = append(h.shared[i], int(old), int(pid))
		}
		if old != 0 && old < pid || f.CompareAndSwap(old, pid) {
			return
		}
	}
}

// merge adds the reader's findings to the scan; not safe for concurrent
// use (merge after the readers are done).
func (b *batchScan) merge(h *hits) {
	for _, p := range h.procs {
		if q, ok := b.procs[p.PID]; ok {
			q.Total += p.Total
			for st, n := range p.States {
				q.States[st] += n
			}
			continue
		}
		b.procs[p.PID] = p
	}
	for i, pids := range h.shared {
		b.shared[i] = append(b.shared[i], pids...)
	}
}

// finish sorts the sharing PIDs once every reader was merged.
func (b *batchScan) finish() {
	for i, pids := range b.shared {
		b.shared[i] = slices.Compact(slices.Sorted(slices.Values(pids)))
	}
}

// holder returns the holder of inode i, when some process holds it.
func (b *batchScan) holder(i int) (Holder, bool) {
	pid := int(b.first[i].Load())
	if pid == 0 {
		return Holder{}, false
	}
	h := Holder{PID: pid, Command: b.command(pid)}
	if pids := b.shared[i]; len(pids) > 1 {
		h.Others = slices.DeleteFunc(slices.Clone(pids), func(p int) bool { return p == pid })
	}
	return h, true
}

func (b *batchScan) command(pid int) string {
	if p, ok := b.procs[pid]; ok {
		return p.Command
	}
	return "?"
}

// processes returns the processes, most sockets first.
func (b *batchScan) processes() []ProcessSockets {
	out := make([]ProcessSockets, 0, len(b.procs))
	for _, pid := range slices.Sorted(maps.Keys(b.procs)) {
		out = append(out, *b.procs[pid])
	}
	sortProcesses(out)
	return out
}
