package audit

import (
	"net/netip"
	"time"
)

// reading is what one census saw, kept until the next one to tell what is
// new: the sets of tuples and the byte counts of the flows.
type reading struct {
	at time.Time
	// countersAt is when the counters were read.
	countersAt time.Time
	out        map[Tuple]struct{}
	timeWait   map[Tuple]struct{}
	orphans    map[Tuple]struct{}
	bytes      map[Tuple][2]uint64
	synRecv    map[uint16]int
	flows      []FlowLoad
	finWait2   int
	// truncated is set when a set reached maxTracked.
	truncated bool
}

func newReading() *reading {
	return &reading{
		out: make(map[Tuple]struct{}), timeWait: make(map[Tuple]struct{}),
		orphans: make(map[Tuple]struct{}), bytes: make(map[Tuple][2]uint64),
		synRecv: make(map[uint16]int),
	}
}

// add records one socket of census c (whose listeners came first).
func (r *reading) add(s *Socket, c *Census) {
	switch s.State {
	case Listen:
		return
	case SynRecv:
		r.synRecv[s.LocalPort]++
		return
	}
	t := Tuple{Local: netip.AddrPortFrom(s.Local.Unmap(), s.LocalPort), Remote: netip.AddrPortFrom(s.Remote.Unmap(), s.RemotePort)}
	if !c.IsListening(s.LocalPort) {
		r.track(r.out, t)
	}
	switch s.State {
	case TimeWait:
		r.track(r.timeWait, t)
	case FinWait2:
		r.finWait2++
		if s.Inode == 0 {
			r.track(r.orphans, t)
		}
	case Established:
		if s.HasInfo && len(r.bytes) < maxFlowsTracked {
			r.bytes[t] = [2]uint64{s.Info.BytesAcked, s.Info.BytesReceived}
			r.flows = append(r.flows, FlowLoad{Tuple: t, Info: s.Info})
		}
	}
}

// track adds t to set unless the set is full.
func (r *reading) track(set map[Tuple]struct{}, t Tuple) {
	if len(set) >= maxTracked {
		r.truncated = true
		return
	}
	set[t] = struct{}{}
}

// outgoing counts the outgoing sockets per destination, and the tuples
// not in prev.
func (r *reading) outgoing(prev *reading) map[Flow]OutgoingLoad {
	m := make(map[Flow]OutgoingLoad)
	for t := range r.out {
		fl := t.Flow()
		u := m[fl]
		u.Sockets++
		if _, ok := r.timeWait[t]; ok {
			u.TimeWait++
		}
		if prev != nil {
			if _, ok := prev.out[t]; !ok {
				u.New++
			}
		}
		m[fl] = u
	}
	return m
}
