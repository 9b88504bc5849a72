package watch

import (
	"cmp"
	"fmt"
	"net/netip"
	"time"

	"github.com/tcpaudit/tcpaudit/audit"
)

// sampler reads the socket census at each Read: counts per state and
// TIME_WAIT sockets per destination, no events.
type sampler struct {
	fsys audit.FS
	low  uint16
	high uint16
}

// OpenSampler returns a tracer that samples the socket census of the proc
// root (sock_diag on the live host, else net/tcp and net/tcp6): the
// fallback where BPF is unavailable. It sees the network namespace the
// proc root belongs to.
func OpenSampler(procRoot string) (Tracer, error) {
	fsys, err := audit.NewFS(procRoot)
	if err != nil {
		return nil, err
	}
	low, high, err := fsys.PortRange()
	if err != nil {
		return nil, fmt.Errorf("sample: %w", err)
	}
	return &sampler{fsys: fsys, low: low, high: high}, nil
}

// Read takes one census.
func (s *sampler) Read(at time.Time) (Reading, error) {
	c := audit.NewCensus(s.low, s.high, audit.WithoutCloseWait())
	if _, err := s.fsys.Census(c, audit.CensusAuto); err != nil {
		return Reading{}, fmt.Errorf("sample: %w", err)
	}
	r := Reading{Source: FromSample, At: at, States: map[audit.State]int{}, TimeWaitTo: map[netip.AddrPort]int{}}
	for st, n := range c.States {
		if n > 0 {
			r.States[audit.State(st)] = n
		}
	}
	for f, u := range c.Ephemeral {
		if u.TimeWait > 0 {
			r.TimeWaitTo[netip.AddrPortFrom(f.Remote.Unmap(), f.RemotePort)] += u.TimeWait
		}
	}
	return r, nil
}

// Close frees nothing: a census holds no resource between reads.
func (s *sampler) Close() error { return nil }

// sampled fills what samples tell: the change of each state's count, and
// TIME_WAIT creation estimated as the TIME_WAIT count ÷ 60 s (the entries
// seen were created within their 60 s lifetime), each entry holding a port
// of the range of the namespace sampled (o.Netns).
func sampled(r *Report, first, last Reading, el time.Duration, o Options) {
	states := map[audit.State]bool{}
	for st := range first.States {
		states[st] = true
	}
	for st := range last.States {
		states[st] = true
	}
	for _, st := range sortedKeys(states, cmp.Compare[audit.State]) {
		a, b := first.States[st], last.States[st]
		ch := StateChange{State: st.String(), First: a, Last: b}
		if el > 0 {
			ch.PerS = float64(b-a) / el.Seconds()
		}
		r.StateChanges = append(r.StateChanges, ch)
	}
	var out []Projection
	var all int
	for _, tw := range last.TimeWaitTo {
		all += tw
	}
	r.TimeWaitCreated = Rate{Count: uint64(all), PerS: float64(all) / timeWaitLen.Seconds()}
	for i := range r.Namespaces {
		if r.Namespaces[i].Inode == o.Netns {
			r.Namespaces[i].TimeWaitCreated = r.TimeWaitCreated
		}
	}
	pr := o.keysOf(o.Netns).PortRange
	for _, d := range sortedKeys(last.TimeWaitTo, func(a, b netip.AddrPort) int { return a.Compare(b) }) {
		tw := last.TimeWaitTo[d]
		out = append(out, project(Peer{Netns: o.Netns, Endpoint: d}, Rate{Count: uint64(tw), PerS: float64(tw) / timeWaitLen.Seconds()}, Rate{}, 0, pr))
	}
	r.TimeWaitByDestination = top(out, o.Top, byPortsHeld)
}
