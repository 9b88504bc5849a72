package audit

import (
	"net/netip"
	"sort"
)

// TopK finds the most frequent remote endpoints in bounded memory with the
// Space-Saving algorithm (Metwally, Agrawal, El Abbadi, 2005): it keeps K
// counters; an endpoint not yet counted takes over the smallest counter and
// inherits its count as an over-estimate. Any endpoint seen more than N/K
// times is kept, and each count is exact within its Error.
type TopK struct {
	k    int
	heap []Heavy // min-heap on Count
	pos  map[netip.AddrPort]int
}

// Heavy is one counted endpoint. Its true count lies in
// [Count-Error, Count].
type Heavy struct {
	Endpoint netip.AddrPort
	Count    int
	Error    int
}

// NewTopK returns a counter of at most k endpoints (k ≥ 1).
func NewTopK(k int) *TopK {
	k = max(k, 1)
	return &TopK{k: k, pos: make(map[netip.AddrPort]int, k)}
}

// Add counts one occurrence of e.
func (t *TopK) Add(e netip.AddrPort) {
	if i, ok := t.pos[e]; ok {
		t.heap[i].Count++
		t.down(i)
		return
	}
	if len(t.heap) < t.k {
		t.heap = append(t.heap, Heavy{Endpoint: e, Count: 1})
		t.pos[e] = len(t.heap) - 1
		t.up(len(t.heap) - 1)
		return
	}
	min := t.heap[0]
	delete(t.pos, min.Endpoint)
	t.heap[0] = Heavy{Endpoint: e, Count: min.Count + 1, Error: min.Count}
	t.pos[e] = 0
	t.down(0)
}

// Top returns up to n endpoints, largest count first; nil for a nil TopK.
func (t *TopK) Top(n int) []Heavy {
	if t == nil {
		return nil
	}
	out := append([]Heavy(nil), t.heap...)
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Endpoint.Compare(out[j].Endpoint) < 0
	})
	return out[:min(n, len(out))]
}

func (t *TopK) less(i, j int) bool { return t.heap[i].Count < t.heap[j].Count }

func (t *TopK) swap(i, j int) {
	t.heap[i], t.heap[j] = t.heap[j], t.heap[i]
	t.pos[t.heap[i].Endpoint] = i
	t.pos[t.heap[j].Endpoint] = j
}

func (t *TopK) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !t.less(i, p) {
			return
		}
		t.swap(i, p)
		i = p
	}
}

func (t *TopK) down(i int) {
	for {
		l, m := 2*i+1, i
		if l < len(t.heap) && t.less(l, m) {
			m = l
		}
		if r := l + 1; r < len(t.heap) && t.less(r, m) {
			m = r
		}
		if m == i {
			return
		}
		t.swap(i, m)
		i = m
	}
}
