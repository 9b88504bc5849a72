package sockgen

import (
	"net/netip"
	"testing"
)

// TestSplit checks that a plan split between children keeps every socket
// and holds at most MaxDescriptors descriptors per child.
func TestSplit(t *testing.T) {
	for _, p := range []Plan{
		{Established: 300000, TimeWait: 600000, CloseWait: 50000},
		{TimeWait: 1000000},
		{Established: 3, CloseWait: 1},
	} {
		parts := Split(p, 2)
		var sum Plan
		for i, q := range parts {
			if d := q.Established + 2*q.CloseWait + q.FullQueue; d > MaxDescriptors {
				t.Errorf("%+v: child %d holds %d descriptors", p, i, d)
			}
			sum.Established += q.Established
			sum.TimeWait += q.TimeWait
			sum.CloseWait += q.CloseWait
		}
		want := p
		want.Established += p.Established % 2
		if sum != want || len(parts) < 2 {
			t.Errorf("%+v split in %d: sum %+v", p, len(parts), sum)
		}
	}
}

// TestChildAddrs checks that children get distinct loopback destinations.
func TestChildAddrs(t *testing.T) {
	seen := map[netip.Addr]int{}
	for i := range 30 {
		ports, dsts := ChildAddrs(i, 300)
		if ports[0] != uint16(1000+i) {
			t.Errorf("child %d: port %d", i, ports[0])
		}
		for _, a := range dsts {
			if !a.IsLoopback() {
				t.Errorf("child %d: %v is not loopback", i, a)
			}
			if j, dup := seen[a]; dup {
				t.Errorf("%v given to children %d and %d", a, j, i)
			}
			seen[a] = i
		}
	}
}
