//go:build linux && !tcpaudit_portable

package audit

import (
	"maps"
	"slices"
	"sync"
	"testing"
	"time"
)

// TestOwnerJoinCountsOnce feeds an ownerJoin the records of processes as
// the iterator writes them: process 10 holds every socket of a small chunk
// and 1,500 of a dense one (more than maxMarked: its seen marks are
// cleared whole), each through two descriptors; process 20 holds 50 of
// 10's sockets (shared) and 100 of its own, each twice; process 10's
// table comes once more (a thread with a table of its own) holding 10 of
// its sockets. Each socket counts once, for the first process found
// holding it; the 50 are shared with 20 and the 10 with 10 itself.
func TestOwnerJoinCountsOnce(t *testing.T) {
	s := &compactSet{}
	var small, dense []uint32
	for ino := uint32(100); ino <= 2100; ino++ {
		small = append(small, ino)
	}
	for ino := uint32(70000); ino < 75000; ino++ {
		dense = append(dense, ino)
	}
	for _, ino := range append(slices.Clone(dense), small...) {
		s.add(ino)
	}
	if s.n != 7001 || s.chunks[1].bits == nil || s.chunks[0].bits != nil {
		t.Fatalf("set of %d inodes; want 7001, the second chunk a bitmap, the first an array", s.n)
	}
	j := newOwnerJoin(s)
	twice := func(tgid uint32, inodes []uint32) {
		for _, ino := range inodes {
			j.add(tgid, ino)
		}
		for _, ino := range inodes {
			j.add(tgid, ino)
		}
	}
	twice(10, append(slices.Clone(small), dense[:1500]...))
	j.add(10, 1<<31) // not in the set
	twice(20, append(slices.Clone(dense[1400:1450]), dense[2000:2100]...))
	twice(10, small[:10])

	got := map[int]int{}
	for pid, o := range j.owners {
		got[pid] = o.Sockets
	}
	if want := map[int]int{10: 3501, 20: 100}; !maps.Equal(got, want) {
		t.Errorf("sockets by owner %v, want %v", got, want)
	}
	if len(j.shared) != 60 {
		t.Errorf("%d shared sockets, want 60", len(j.shared))
	}
	for _, ino := range dense[1400:1450] {
		if !slices.Equal(j.shared[ino], []int{20}) {
			t.Errorf("socket %d shared with %v, want [20]", ino, j.shared[ino])
		}
	}
	for _, ino := range small[:10] {
		if !slices.Equal(j.shared[ino], []int{10}) {
			t.Errorf("socket %d shared with %v, want [10]", ino, j.shared[ino])
		}
	}
	unheld := slices.Collect(j.unheld())
	if len(unheld) != 7001-3601 || unheld[0] != dense[1500] || slices.Contains(unheld, dense[2050]) {
		t.Errorf("%d unheld sockets from %d; want %d from %d, without %d", len(unheld), unheld[0], 7001-3601, dense[1500], dense[2050])
	}
}

// TestCompactChunkGrowth: a chunk's array grows by doubling and becomes a
// bitmap past arrayMax, keeping every inode, whatever their order.
func TestCompactChunkGrowth(t *testing.T) {
	s := &compactSet{}
	var want []uint32
	for i := range arrayMax + 1 {
		ino := uint32(5<<16 | (i*7919)%65536)
		want = append(want, ino)
		s.add(ino)
		if i < arrayMax {
			c := s.chunks[0]
			if c.bits != nil || cap(c.arr) > max(8, 2*len(c.arr)) {
				t.Fatalf("after %d inodes: bitmap %v, array of %d with room for %d", i+1, c.bits != nil, len(c.arr), cap(c.arr))
			}
		}
	}
	if s.chunks[0].bits == nil || s.n != arrayMax+1 {
		t.Fatalf("%d inodes past arrayMax: no bitmap", s.n)
	}
	slices.Sort(want)
	if got := slices.Collect(s.inodes()); !slices.Equal(got, want) {
		t.Errorf("the set holds %d inodes, want %d", len(got), len(want))
	}
}

// TestFDJoinInScanOrder: two workers of the descriptor scan holding the
// same socket, the second process's worker done first, join in the scan's
// order: the socket counts for the first process, the second is noted as
// sharing it. Joined in the order they ended, it counted for the second.
func TestFDJoinInScanOrder(t *testing.T) {
	s := &compactSet{}
	s.add(1000)
	s.add(1001)
	j := newOwnerJoin(s)
	o := &joinOrder{done: make(map[int]bool)}
	o.cond = sync.NewCond(&o.mu)
	worker := func() *fdJoin { return &fdJoin{order: o, j: j, buf: make([]uint32, 0, fdJoinBuffer)} }
	second := make(chan struct{})
	go func() {
		w := worker()
		w.begin(1)
		w.visit(20, 1000)
		w.visit(20, 1001)
		w.end(20) // waits for process 0
		close(second)
	}()
	time.Sleep(50 * time.Millisecond) // the second process's scan ends first
	w := worker()
	w.begin(0)
	w.visit(10, 1000)
	w.end(10)
	<-second
	got := map[int]int{}
	for pid, ow := range j.owners {
		got[pid] = ow.Sockets
	}
	if want := map[int]int{10: 1, 20: 1}; !maps.Equal(got, want) || !slices.Equal(j.shared[1000], []int{20}) {
		t.Errorf("sockets by owner %v, shared %v; want %v, 1000 shared with [20]", got, j.shared, want)
	}
}
