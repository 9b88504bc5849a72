package audit

import (
	"math/rand/v2"
	"net/netip"
	"testing"
)

// TestTopKFindsHeavyHitters streams a skewed set of endpoints through a
// small TopK: every endpoint above N/K must be kept, with its true count
// inside [Count-Error, Count].
func TestTopKFindsHeavyHitters(t *testing.T) {
	const k, n = 16, 20000
	r := rand.New(rand.NewPCG(1, 2))
	exact := map[netip.AddrPort]int{}
	top := NewTopK(k)
	for i := range n {
		var e netip.AddrPort
		switch {
		case i%4 == 0: // 25%: one endpoint
			e = netip.MustParseAddrPort("192.0.2.1:443")
		case i%10 == 1: // 10%: another
			e = netip.MustParseAddrPort("192.0.2.2:80")
		default: // the rest: spread over 5000 endpoints
			e = netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 0, byte(r.IntN(20)), byte(r.IntN(250))}), 8080)
		}
		exact[e]++
		top.Add(e)
	}
	got := map[netip.AddrPort]Heavy{}
	for _, h := range top.Top(k) {
		got[h.Endpoint] = h
		if real := exact[h.Endpoint]; real < h.Count-h.Error || real > h.Count {
			t.Errorf("%v: count %d error %d, true count %d", h.Endpoint, h.Count, h.Error, real)
		}
	}
	for e, c := range exact {
		if c > n/k {
			if _, ok := got[e]; !ok {
				t.Errorf("%v seen %d times (> N/K = %d) was dropped", e, c, n/k)
			}
		}
	}
	if first := top.Top(1)[0].Endpoint; first != netip.MustParseAddrPort("192.0.2.1:443") {
		t.Errorf("top endpoint %v, want 192.0.2.1:443", first)
	}
}

// BenchmarkTopKAdd measures one Add over a stream of many distinct
// endpoints, the worst case (every miss replaces the minimum).
func BenchmarkTopKAdd(b *testing.B) {
	top := NewTopK(1000)
	eps := make([]netip.AddrPort, 1<<16)
	for i := range eps {
		eps[i] = netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, byte(i >> 8), byte(i), 1}), uint16(i))
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		top.Add(eps[i&(len(eps)-1)])
		i++
	}
}

// BenchmarkTopKHit measures Add of an endpoint already counted, the common
// case of a host talking to a few upstreams.
func BenchmarkTopKHit(b *testing.B) {
	top := NewTopK(1000)
	eps := make([]netip.AddrPort, 192)
	for i := range eps {
		eps[i] = netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 1, 0, byte(i)}), 1000)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		top.Add(eps[i%len(eps)])
		i++
	}
}
