package audit

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"slices"
	"time"
)

// Tuple is one connection's 4-tuple, IPv4-mapped addresses unmapped.
type Tuple struct {
	Local, Remote netip.AddrPort
}

// Flow returns the destination the tuple draws its local port for.
func (t Tuple) Flow() Flow {
	return Flow{Local: t.Local.Addr(), Remote: t.Remote.Addr(), RemotePort: t.Remote.Port()}
}

// Observation is one reading of what sizing the TCP sysctls needs: the
// sockets toward each destination and what was new since the previous
// reading, the listeners' queues, the FIN_WAIT2 sockets, the busiest
// flows with their tcp_info, the counters, sockstat and the sysctls.
type Observation struct {
	// At is when the reading was taken (the caller's clock, halfway
	// through the socket census); Interval is the time since the previous
	// one, 0 for the first.
	At       time.Time
	Interval time.Duration
	// CountersAt is when the counters were read, just before the census
	// (so that every connection they count was made before the census
	// and is in it); CountersInterval is the time since the previous
	// reading's, by which a counter's rise is divided.
	CountersAt       time.Time
	CountersInterval time.Duration
	Source           CensusSource
	Sysctls          map[string]string
	Sockstat         Sockstat
	Counters         Counters
	// States counts sockets by state code.
	States [maxState + 1]int
	// Listeners are the listening sockets with their SYN_RECV counts.
	Listeners []ListenerLoad
	// Outgoing holds, per destination, the sockets of connections this
	// host opened (local port not a listening port), TIME_WAIT included.
	Outgoing map[Flow]OutgoingLoad
	// NewTimeWait counts the TIME_WAIT entries, in any direction, that
	// were not in TIME_WAIT at the previous reading.
	NewTimeWait int
	FinWait2    FinWait2Load
	// Flows are the busiest ESTABLISHED connections with tcp_info (over
	// netlink only), most bytes moved since the previous reading first.
	Flows []FlowLoad
	// Truncated is set when more tuples existed than the observer tracks
	// (maxTracked): the new-connection counts are then lower bounds.
	Truncated bool
}

// ListenerLoad is a listener and the request sockets (SYN_RECV) on its port.
type ListenerLoad struct {
	Listener
	SynRecv int
}

// OutgoingLoad counts the sockets toward one destination: all of them,
// those in TIME_WAIT, and the 4-tuples absent from the previous reading
// (connections opened since; 0 in the first reading).
type OutgoingLoad struct {
	Sockets, TimeWait, New int
}

// FinWait2Load describes the FIN_WAIT2 sockets: how many, how many are
// orphans (no process holds them; their life is bounded by
// tcp_fin_timeout), how many orphans are new since the previous reading,
// and for how long orphans were seen: the oldest present, and the longest
// one that ended (first to last reading it was seen in).
type FinWait2Load struct {
	Count, Orphaned, NewOrphaned int
	Oldest, LongestEnded         time.Duration
}

// FlowLoad is one ESTABLISHED connection with its tcp_info and the payload
// bytes it sent (acknowledged) and received since the previous reading
// (since it opened, in the first reading).
type FlowLoad struct {
	Tuple
	Info           TCPInfo
	Sent, Received uint64
}

// Observer bounds: tuples tracked per set, flows kept per reading.
const (
	maxTracked      = 1 << 20
	maxFlowsTracked = 1 << 16
	maxFlows        = 8
)

// Observer takes Observations of one proc root, remembering what the
// previous one saw so that each reports what is new. Its memory is
// bounded by the tuples it tracks (at most about a million per set, and
// 65536 flows with tcp_info). It is
// not safe for concurrent use.
type Observer struct {
	fsys FS
	src  CensusSource
	keys []string
	prev *reading
	// finSince holds when each orphaned FIN_WAIT2 tuple was first seen.
	finSince map[Tuple]time.Time
}

// NewObserver returns an observer of fsys that reads the census from src
// and the sysctl keys given.
func NewObserver(fsys FS, src CensusSource, keys []string) *Observer {
	return &Observer{fsys: fsys, src: src, keys: keys, finSince: make(map[Tuple]time.Time)}
}

// Observe takes one reading, stamped by now halfway through the socket
// census: rates divide what changed between two readings by the time
// between their stamps, and a dump sees each socket at some moment during
// it (the kernel walks its hash tables in bucket order, and a new socket
// lands in any bucket), so on average at the middle. A stamp at the start
// or the end would add the difference of two dumps' durations to an
// interval's events (a 0.6 s dump under load made 200/s look 327/s).
// The counters are read just before the census: a connection they count
// was then made before the census began, and the census sees its 4-tuple
// (TIME_WAIT holds it 60 s; docs/kernel-facts.md §42). Read after, they would count the connections
// made between a census and their reading, which no census of the last
// reading sees: on a loaded host, where a thread waits for a core, that
// is seconds of connections with no destination.
func (o *Observer) Observe(now func() time.Time) (Observation, error) {
	countersAt := now()
	counters, err := o.fsys.Counters()
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return Observation{}, err
	}
	start := now()
	r := newReading()
	var c *Census
	c = NewCensus(1, 0, WithoutCloseWait(), WithSocketInfo(), WithEach(func(s *Socket) { r.add(s, c) }))
	info, cerr := o.fsys.Census(c, o.src)
	if cerr != nil {
		return Observation{}, fmt.Errorf("socket census: %w", cerr)
	}
	at := start.Add(now().Sub(start) / 2)
	ob := Observation{At: at, CountersAt: countersAt, Counters: counters, Source: info.Source, States: c.States, Truncated: r.truncated}
	if err := o.readStats(&ob); err != nil {
		return Observation{}, err
	}
	for _, l := range c.Listeners {
		ob.Listeners = append(ob.Listeners, ListenerLoad{Listener: l, SynRecv: r.synRecv[l.Port]})
	}
	ob.Outgoing = r.outgoing(o.prev)
	ob.FinWait2 = o.finWait2(r, at)
	if o.prev != nil {
		ob.Interval = at.Sub(o.prev.at)
		ob.CountersInterval = ob.CountersAt.Sub(o.prev.countersAt)
		ob.NewTimeWait = countNew(r.timeWait, o.prev.timeWait)
	}
	ob.Flows = r.busiest(o.prev)
	r.at, r.countersAt, o.prev = at, ob.CountersAt, r
	return ob, nil
}

// readStats reads sockstat and the sysctls into ob; a missing file
// leaves its part out.
func (o *Observer) readStats(ob *Observation) error {
	var err error
	if ob.Sockstat, err = o.fsys.Sockstat(); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	ob.Sysctls, _, err = o.fsys.Sysctls(o.keys)
	return err
}

// finWait2 counts the FIN_WAIT2 sockets of r and updates when each orphan
// was first seen.
func (o *Observer) finWait2(r *reading, at time.Time) FinWait2Load {
	l := FinWait2Load{Count: r.finWait2, Orphaned: len(r.orphans)}
	for t, since := range o.finSince {
		if _, ok := r.orphans[t]; !ok {
			l.LongestEnded = max(l.LongestEnded, o.prev.at.Sub(since))
			delete(o.finSince, t)
		}
	}
	for t := range r.orphans {
		since, ok := o.finSince[t]
		if !ok {
			since = at
			o.finSince[t] = at
			if o.prev != nil {
				l.NewOrphaned++
			}
		}
		l.Oldest = max(l.Oldest, at.Sub(since))
	}
	return l
}

func countNew[K comparable, V any](now, before map[K]V) int {
	n := 0
	for k := range now {
		if _, ok := before[k]; !ok {
			n++
		}
	}
	return n
}

// busiest returns the flows that moved the most bytes since prev.
func (r *reading) busiest(prev *reading) []FlowLoad {
	for i := range r.flows {
		f := &r.flows[i]
		f.Sent, f.Received = f.Info.BytesAcked, f.Info.BytesReceived
		if prev != nil {
			if b, ok := prev.bytes[f.Tuple]; ok {
				f.Sent, f.Received = f.Sent-min(b[0], f.Sent), f.Received-min(b[1], f.Received)
			}
		}
	}
	slices.SortFunc(r.flows, func(a, b FlowLoad) int {
		return cmp.Or(cmp.Compare(b.Sent+b.Received, a.Sent+a.Received), compareTuples(a.Tuple, b.Tuple))
	})
	return slices.Clone(r.flows[:min(len(r.flows), maxFlows)])
}

func compareTuples(a, b Tuple) int {
	return cmp.Or(a.Local.Compare(b.Local), a.Remote.Compare(b.Remote))
}
