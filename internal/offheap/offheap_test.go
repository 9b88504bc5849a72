package offheap_test

import (
	"runtime"
	"testing"

	"github.com/tcpaudit/tcpaudit/internal/offheap"
)

type entry struct {
	A uint64
	B [3]uint16
	C bool
}

// TestMakeIsNotHeap: the memory of a large array is not counted by the
// Go heap, is usable to its capacity, and survives collections while its
// Memory is held.
func TestMakeIsNotHeap(t *testing.T) {
	const n = 1 << 20 // 16 MiB of entries
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	s, m := offheap.Make[entry](n)
	runtime.ReadMemStats(&after)
	if m == nil {
		t.Fatal("no mapping on linux")
	}
	if grew := after.HeapAlloc - before.HeapAlloc; grew > 1<<20 {
		t.Errorf("the heap grew by %d bytes for an off-heap array", grew)
	}
	if len(s) != 0 || cap(s) != n {
		t.Fatalf("len %d cap %d, want 0 and %d", len(s), cap(s), n)
	}
	for i := range n {
		s = append(s, entry{A: uint64(i)})
	}
	runtime.GC()
	runtime.GC()
	for _, i := range []int{0, n / 2, n - 1} {
		if s[i].A != uint64(i) {
			t.Fatalf("entry %d holds %d", i, s[i].A)
		}
	}
	runtime.KeepAlive(m)
}

func TestMakeRefusesPointers(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Make of a type with a pointer did not panic")
		}
	}()
	offheap.Make[struct {
		N int
		P *int
	}](8)
}

func TestMakeEmpty(t *testing.T) {
	s, m := offheap.Make[uint64](0)
	if s != nil || m != nil {
		t.Errorf("Make(0) = %v, %v", s, m)
	}
}
