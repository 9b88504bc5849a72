//go:build linux && !tcpaudit_portable

package watch

import (
	"errors"
	"fmt"

	"github.com/cilium/ebpf"
)

// batchSize is how many entries of a map one system call reads at most.
const batchSize = 256

// perCPU reports whether m holds one value per CPU for each key.
func perCPU(m *ebpf.Map) bool {
	switch m.Type() {
	case ebpf.PerCPUArray, ebpf.PerCPUHash, ebpf.LRUCPUHash:
		return true
	}
	return false
}

// each calls fn with every key of m and its values: one per CPU for a
// per-CPU map, else one. It reads the map in batches (BPF_MAP_LOOKUP_BATCH,
// Linux 5.6), a few system calls for the whole map, and one key at a time
// (two system calls a key) where the kernel has no batches. The values
// passed to fn are reused by the next batch.
func each[K, V any](m *ebpf.Map, fn func(k K, v []V)) error {
	ncpu := 1
	if perCPU(m) {
		n, err := ebpf.PossibleCPU()
		if err != nil {
			return fmt.Errorf("read BPF map %s: %w", m, err)
		}
		ncpu = n
	}
	batch := int(min(m.MaxEntries(), batchSize))
	keys := make([]K, batch)
	vals := make([]V, batch*ncpu)
	var cursor ebpf.MapBatchCursor
	for {
		n, err := m.BatchLookup(&cursor, keys, vals, nil)
		if errors.Is(err, ebpf.ErrNotSupported) {
			return eachSlowly(m, ncpu, fn)
		}
		for i := range n {
			fn(keys[i], vals[i*ncpu:(i+1)*ncpu])
		}
		if errors.Is(err, ebpf.ErrKeyNotExist) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read BPF map %s: %w", m, err)
		}
	}
}

// eachSlowly is each where the kernel has no batch lookups.
func eachSlowly[K, V any](m *ebpf.Map, ncpu int, fn func(k K, v []V)) error {
	var k K
	v := make([]V, ncpu)
	it := m.Iterate()
	next := func() bool { return it.Next(&k, &v) }
	if !perCPU(m) {
		next = func() bool { return it.Next(&k, &v[0]) }
	}
	for next() {
		fn(k, v)
	}
	if err := it.Err(); err != nil {
		return fmt.Errorf("read BPF map %s: %w", m, err)
	}
	return nil
}
