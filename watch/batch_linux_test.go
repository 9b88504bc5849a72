//go:build linux && !tcpaudit_portable

package watch

import (
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/rlimit"
	"github.com/google/go-cmp/cmp"
)

// TestEachBatchedAsSlowly: reading a kernel map in batches gives every key
// with its values, per CPU or not, as reading it one key at a time does,
// over more entries than one batch holds.
func TestEachBatchedAsSlowly(t *testing.T) {
	if err := rlimit.RemoveMemlock(); err != nil {
		t.Skipf("needs BPF maps: %v", err)
	}
	ncpu, err := ebpf.PossibleCPU()
	if err != nil {
		t.Fatal(err)
	}
	const n = 3*batchSize + 7
	for _, typ := range []ebpf.MapType{ebpf.PerCPUArray, ebpf.LRUCPUHash, ebpf.Hash} {
		size := uint32(n)
		if typ != ebpf.PerCPUArray {
			size *= 4 // an LRU evicts before it is full
		}
		m, err := ebpf.NewMap(&ebpf.MapSpec{Type: typ, KeySize: 4, ValueSize: 8, MaxEntries: size})
		if err != nil {
			t.Skipf("needs BPF maps: %v", err)
		}
		defer m.Close()
		for k := range uint32(n) {
			var err error
			if perCPU(m) {
				v := make([]uint64, ncpu)
				for c := range v {
					v[c] = uint64(k)*100 + uint64(c)
				}
				err = m.Put(k, v)
			} else {
				err = m.Put(k, uint64(k)*100)
			}
			if err != nil {
				t.Fatalf("%s: put %d: %v", typ, k, err)
			}
		}
		read := func(each func(*ebpf.Map, func(uint32, []uint64)) error) map[uint32][]uint64 {
			out := map[uint32][]uint64{}
			if err := each(m, func(k uint32, v []uint64) { out[k] = append([]uint64(nil), v...) }); err != nil {
				t.Fatalf("%s: %v", typ, err)
			}
			return out
		}
		batched := read(each[uint32, uint64])
		slowly := read(func(m *ebpf.Map, fn func(uint32, []uint64)) error {
			values := 1
			if perCPU(m) {
				values = ncpu
			}
			return eachSlowly(m, values, fn)
		})
		if len(batched) != n {
			t.Errorf("%s: %d keys read in batches, want %d", typ, len(batched), n)
		}
		if d := cmp.Diff(slowly, batched); d != "" {
			t.Errorf("%s: batches differ from one key at a time (-slowly +batched):\n%s", typ, d)
		}
	}
}
