package watch

import (
	"cmp"
	"maps"
	"net/netip"
	"slices"
	"time"

	"github.com/tcpaudit/tcpaudit/audit"
)

// Options say how a report is summarized and judged.
type Options struct {
	// Top bounds every ranking.
	Top int
	// Netns is the namespace watched (0: every one), Note why the report
	// was sampled.
	Netns uint32
	Note  string
	// Watched names the namespace Netns when it was chosen (--netns).
	Watched *Watched
	// Namespaces are the keys of each namespace watched, by inode: a
	// projection divides by the port range of the namespace its
	// connections were made in, and each namespace's TIME_WAIT creation is
	// judged by its own tcp_max_tw_buckets.
	Namespaces map[uint32]Keys
	Limits     Limits
}

// timeWaitLen is how long a TIME_WAIT entry lives (TCP_TIMEWAIT_LEN,
// include/net/tcp.h).
const timeWaitLen = 60 * time.Second

// opens are the transitions that open a connection: connect() and an
// accepted handshake.
func opens() (active, passive Pair) {
	return Pair{audit.Close, audit.SynSent}, Pair{audit.SynRecv, audit.Established}
}

// kernelTask names the owner of sockets no process moved while watched.
const kernelTask = "softirq/kernel"

// Summarize computes the report of what happened between two readings of
// one tracer, first taken before last.
func Summarize(first, last Reading, o Options) Report {
	el := last.At.Sub(first.At)
	own := o.Namespaces[o.Netns]
	r := Report{Source: last.Source, Note: o.Note, Netns: o.Netns, Watched: o.Watched, ElapsedS: el.Seconds(), PortRange: own.PortRange, MaxTWBuckets: own.MaxTWBuckets}
	rate := func(n uint64) Rate { return Rate{Count: n, PerS: perSecond(n, el)} }
	r.Namespaces = namespaceRates(first, last, o, rate)
	r.Transitions = transitionRates(first, last, rate)
	active, passive := opens()
	r.NewConnections = NewConnections{
		Active:  rate(delta(last.Transitions, first.Transitions, active)),
		Passive: rate(delta(last.Transitions, first.Transitions, passive)),
	}
	r.TimeInState = timeInState(first, last)
	if last.Missed > first.Missed {
		r.MissedEvents = last.Missed - first.Missed
	}
	r.Longest = longest(last.Live, o.Top)
	// Created in all: the namespaces' counts (exact where the kernel
	// counts per namespace; see namespaceRates).
	var created, keyed uint64
	for _, n := range r.Namespaces {
		created += n.TimeWaitCreated.Count
	}
	for c := range last.TimeWait {
		keyed += delta(last.TimeWait, first.TimeWait, c)
	}
	if created > keyed {
		r.TimeWaitUnlisted = created - keyed
	}
	r.TimeWaitCreated = rate(created)
	r.TimeWaitByProcess = top(byProcess(first, last, rate), o.Top, func(p ProcessRate) uint64 { return p.Count })
	sums := heldByDestination(first, last)
	r.OrphansCreated = rate(orphansCreated(sums))
	r.TimeWaitByDestination = top(projections(sums, rate, o), o.Top, byPortsHeld)
	for i := range r.TimeWaitByDestination {
		r.TimeWaitByDestination[i].creators = creatorsToward(first, last, r.TimeWaitByDestination[i], rate)
	}
	r.Resets = top(peerResets(first, last, rate), o.Top, func(p PeerResets) uint64 { return p.Sent.Count + p.Received.Count })
	r.SynAckRetransmits = top(endpointRates(first.SynAck, last.SynAck, rate), o.Top, func(e EndpointRate) uint64 { return e.Count })
	r.Retransmits = top(endpointRates(first.Retransmits, last.Retransmits, rate), o.Top, func(e EndpointRate) uint64 { return e.Count })
	if last.Source == FromSample {
		sampled(&r, first, last, el, o)
	}
	r.Findings = Judge(r, o.Limits)
	return r
}

func perSecond(n uint64, el time.Duration) float64 {
	if el <= 0 {
		return 0
	}
	return float64(n) / el.Seconds()
}

// delta is how much a counter rose; 0 when it fell (an LRU map evicted
// its key between the readings).
func delta[K comparable](last, first map[K]uint64, k K) uint64 {
	return last[k] - min(first[k], last[k])
}

// top sorts s by count, largest first (ties in their order), and keeps n.
func top[T any](s []T, n int, count func(T) uint64) []T {
	slices.SortStableFunc(s, func(a, b T) int { return cmp.Compare(count(b), count(a)) })
	if n > 0 && len(s) > n {
		s = s[:n]
	}
	return s
}

func transitionRates(first, last Reading, rate func(uint64) Rate) []TransitionRate {
	out := []TransitionRate{}
	for _, p := range sortedKeys(last.Transitions, func(a, b Pair) int { return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To)) }) {
		if n := delta(last.Transitions, first.Transitions, p); n > 0 {
			out = append(out, TransitionRate{From: p.From.String(), To: p.To.String(), Rate: rate(n)})
		}
	}
	return top(out, 0, func(t TransitionRate) uint64 { return t.Count })
}

func sortedKeys[K comparable, V any](m map[K]V, c func(a, b K) int) []K {
	return slices.SortedFunc(maps.Keys(m), c)
}

// owner names the process, "softirq/kernel" for pid 0.
func owner(o Owner) Owner {
	if o.PID == 0 {
		return Owner{Command: kernelTask}
	}
	return o
}

func longest(live []Live, n int) []LongLived {
	out := []LongLived{}
	for _, l := range live[:min(len(live), max(n, 0))] {
		o := owner(l.Owner)
		out = append(out, LongLived{State: l.State.String(), AgeS: l.Age.Seconds(), PID: o.PID, Command: o.Command,
			Local: l.Local.String(), Remote: l.Remote.String(), Netns: l.Netns})
	}
	return out
}

// byProcess sums the TIME_WAIT entries created by process and namespace.
func byProcess(first, last Reading, rate func(uint64) Rate) []ProcessRate {
	type in struct {
		Owner
		netns uint32
	}
	sums := map[in]uint64{}
	for _, c := range sortedKeys(last.TimeWait, compareCreators) {
		sums[in{owner(c.Owner), c.Netns}] += delta(last.TimeWait, first.TimeWait, c)
	}
	out := []ProcessRate{}
	for _, o := range sortedKeys(sums, func(a, b in) int {
		return cmp.Or(cmp.Compare(a.PID, b.PID), cmp.Compare(a.Command, b.Command), cmp.Compare(a.netns, b.netns))
	}) {
		if sums[o] > 0 {
			out = append(out, ProcessRate{PID: o.PID, Command: o.Command, Netns: o.netns, Rate: rate(sums[o])})
		}
	}
	return out
}

// creatorsToward ranks the processes by the TIME_WAIT entries they
// created toward p's destination in p's namespace.
func creatorsToward(first, last Reading, p Projection, rate func(uint64) Rate) []ProcessRate {
	dest, err := netip.ParseAddrPort(p.Destination)
	if err != nil {
		return nil
	}
	sums := map[Owner]uint64{}
	for c := range last.TimeWait {
		if c.Netns == p.Netns && c.Destination == dest {
			sums[owner(c.Owner)] += delta(last.TimeWait, first.TimeWait, c)
		}
	}
	out := []ProcessRate{}
	for o, n := range sums {
		if n > 0 {
			out = append(out, ProcessRate{PID: o.PID, Command: o.Command, Netns: p.Netns, Rate: rate(n)})
		}
	}
	slices.SortFunc(out, func(a, b ProcessRate) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.PID, b.PID), cmp.Compare(a.Command, b.Command))
	})
	return out
}

func compareCreators(a, b Creator) int {
	return cmp.Or(cmp.Compare(a.PID, b.PID), cmp.Compare(a.Command, b.Command), a.Destination.Compare(b.Destination), cmp.Compare(a.Netns, b.Netns))
}

func projections(sums map[Peer]held, rate func(uint64) Rate, o Options) []Projection {
	out := []Projection{}
	for _, d := range sortedKeys(sums, comparePeers) {
		if h := sums[d]; h.timeWait+h.orphans > 0 {
			k := o.keysOf(d.Netns)
			var hold time.Duration // unknown where the keys were not read: no orphan ports
			if k.Unread == "" {
				hold = orphanHold(k.FinTimeout)
			}
			out = append(out, project(d, rate(h.timeWait), rate(h.orphans), hold, k.PortRange))
		}
	}
	return out
}

// byPortsHeld ranks projections by the ports they hold.
func byPortsHeld(p Projection) uint64 { return uint64(p.PortsHeld) }

// project holds tw × 60 s + orphans × hold ports of the range pr toward
// destination d (pr and hold are those of d's namespace; pr zero when
// unknown: no share).
func project(d Peer, tw, orphans Rate, hold time.Duration, pr PortRange) Projection {
	p := Projection{Destination: d.Endpoint.String(), Netns: d.Netns, Rate: tw, PortRange: pr,
		TimeWaitPorts: int(tw.PerS*timeWaitLen.Seconds() + 0.5)}
	if orphans.Count > 0 {
		p.Orphaned = &orphans
		p.OrphanHoldS = hold.Seconds()
		p.OrphanPorts = int(orphans.PerS*hold.Seconds() + 0.5)
	}
	p.PortsHeld = p.TimeWaitPorts + p.OrphanPorts
	if n := pr.Size(); n > 0 {
		p.Share = float64(p.PortsHeld) / float64(n)
	}
	return p
}

func peerResets(first, last Reading, rate func(uint64) Rate) []PeerResets {
	out := []PeerResets{}
	for _, p := range sortedKeys(last.Resets, comparePeers) {
		l, f := last.Resets[p], first.Resets[p]
		sent, recv := l.Sent-min(f.Sent, l.Sent), l.Received-min(f.Received, l.Received)
		if sent+recv > 0 {
			out = append(out, PeerResets{Peer: p.Endpoint.Addr().String(), Netns: p.Netns, Sent: rate(sent), Received: rate(recv)})
		}
	}
	return out
}

func comparePeers(a, b Peer) int {
	return cmp.Or(a.Endpoint.Compare(b.Endpoint), cmp.Compare(a.Netns, b.Netns))
}

func endpointRates(first, last map[Peer]uint64, rate func(uint64) Rate) []EndpointRate {
	out := []EndpointRate{}
	for _, p := range sortedKeys(last, comparePeers) {
		if n := delta(last, first, p); n > 0 {
			out = append(out, EndpointRate{Endpoint: p.Endpoint.String(), Netns: p.Netns, Rate: rate(n)})
		}
	}
	return out
}
