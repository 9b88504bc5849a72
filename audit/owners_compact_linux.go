//go:build linux && !tcpaudit_portable

package audit

import (
	"iter"

	"github.com/tcpaudit/tcpaudit/audit/taskfd"
)

// joinBPF fills j and b with one run of the iterator: it reports the
// CLOSE_WAIT sockets of every process (or, for a set below wholeMin,
// looks their inodes up) and looks up the inodes of b's sets, in
// lookup states. The error wraps ErrNoIterator when the iterator could
// not run.
func (s *scanner) joinBPF(j *ownerJoin, b *batchScan, lookup StateSet) error {
	set := j.set
	states := taskfd.States{Lookup: uint32(lookup)}
	lookups := b.lookupInodes(0)
	n := b.size()
	if set.n >= s.wholeMin {
		states.Report = uint32(StatesOf(CloseWait)) // the set holds every one it wants
	} else {
		states.Lookup |= uint32(StatesOf(CloseWait))
		lookups = concat(set.inodes(), lookups)
		n += set.n
	}
	if err := s.load(n); err != nil {
		return err
	}
	c := newCollector(b)
	s.runs++
	err := s.bpf.it.Sockets(lookups, n, states, func(r taskfd.File) {
		j.add(r.TGID, r.Inode)
		c.visit(r)
	})
	if err != nil {
		return err
	}
	s.finishBPF(b, c)
	return nil
}

// concat yields the inodes of a, then those of b.
func concat(a, b iter.Seq[uint32]) iter.Seq[uint32] {
	return func(yield func(uint32) bool) {
		for ino := range a {
			if !yield(ino) {
				return
			}
		}
		for ino := range b {
			if !yield(ino) {
				return
			}
		}
	}
}
