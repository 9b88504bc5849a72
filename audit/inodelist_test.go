package audit

import (
	"slices"
	"testing"
)

// TestCloseWaitListBeyond: a census of more CLOSE_WAIT sockets than it
// keeps gives the smallest AttributionBatch inodes, sorted, and counts the
// others as Beyond; a census thins the list to the inodes it sees again.
func TestCloseWaitListBeyond(t *testing.T) {
	c := NewCensus(1, 0)
	const extra = 10
	for i := AttributionBatch + extra; i > 0; i-- { // descending: the heap must keep the smallest
		c.Add(&Socket{State: CloseWait, Inode: uint64(1000 + i)})
	}
	l := c.CloseWaitList()
	if l.Len() != AttributionBatch || l.Beyond != extra {
		t.Fatalf("list of %d, %d beyond; want %d and %d", l.Len(), l.Beyond, AttributionBatch, extra)
	}
	if !slices.IsSorted(l.v) || l.v[0] != 1001 || !l.Has(1001) || l.Has(uint64(1000+AttributionBatch+1)) {
		t.Errorf("list not the smallest inodes in order: first %d", l.v[0])
	}
	again := NewCensus(1, 0, WithoutCloseWait(), OnlyStates(StatesOf(CloseWait)))
	again.still = newStillSet(l)
	for _, ino := range []uint64{1001, 1003, 5, 1000 + AttributionBatch} {
		again.Add(&Socket{State: CloseWait, Inode: ino})
	}
	again.still.keep()
	if got := slices.Collect(l.All()); !slices.Equal(got, []uint64{1001, 1003, 1000 + AttributionBatch}) {
		t.Errorf("after a census: %v, want the three seen again", got)
	}
	if NewInodeList([]uint64{7, 0, 7, 1 << 33, 3}).Len() != 2 {
		t.Error("NewInodeList keeps 0, duplicates or inodes past 32 bits")
	}
}
