package tune

import (
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"

	"github.com/tcpaudit/tcpaudit/audit"
)

// listenerPeak is what the observations showed of one listener.
type listenerPeak struct {
	addr    netip.AddrPort
	inode   uint64
	backlog uint32
	// queue is the deepest accept queue (LISTEN Recv-Q) seen; drops the
	// most packets it dropped in one interval (a full queue among the
	// causes); synRecv the most request sockets on its port.
	queue, drops, synRecv int64
}

// demand is the accept queue the listener needed: the deepest queue seen
// plus what it turned away in its worst interval.
func (l listenerPeak) demand() int64 { return l.queue + l.drops }

// listenerPeaks gathers each listener's peaks, keyed by address and inode.
func (s series) listenerPeaks() []*listenerPeak {
	var out []*listenerPeak
	type key struct {
		ap    netip.AddrPort
		inode uint64
	}
	byKey := map[key]*listenerPeak{}
	lastDrops := map[*listenerPeak]uint32{}
	for i, o := range s.obs {
		for _, l := range o.Listeners {
			ap := netip.AddrPortFrom(l.Addr.Unmap(), l.Port)
			k := key{ap, l.Inode}
			p := byKey[k]
			if p == nil {
				p = &listenerPeak{addr: ap, inode: l.Inode}
				byKey[k] = p
				out = append(out, p)
			} else if i > 0 && l.Drops >= lastDrops[p] {
				p.drops = max(p.drops, int64(l.Drops-lastDrops[p]))
			}
			lastDrops[p] = l.Drops
			p.backlog = l.Backlog
			p.queue = max(p.queue, int64(l.AcceptQueue))
			p.synRecv = max(p.synRecv, int64(l.SynRecv))
		}
	}
	return out
}

// name names a listener and the process holding it, when known.
func (s series) name(l *listenerPeak) string {
	n := "listener " + l.addr.String()
	if h, ok := s.owners.Holder(l.inode); ok {
		n += fmt.Sprintf(" (pid %d %s)", h.PID, h.Command)
	}
	return n
}

// backlog sizes somaxconn from the listener that needed the deepest accept
// queue, and tcp_max_syn_backlog from the most request sockets one
// listener had (docs/kernel-facts.md §9).
func (s series) backlog() []Proposal {
	if len(s.obs) == 0 {
		return []Proposal{s.insufficient(keySomaxconn, "no reading", nil), s.insufficient(keySynBacklog, "no reading", nil)}
	}
	peaks := s.listenerPeaks()
	var worst, syn *listenerPeak
	for _, l := range peaks {
		if worst == nil || l.demand() > worst.demand() {
			worst = l
		}
		if syn == nil || l.synRecv > syn.synRecv {
			syn = l
		}
	}
	return []Proposal{s.somaxconn(worst, len(peaks)), s.synBacklog(syn, len(peaks))}
}

func (s series) somaxconn(l *listenerPeak, listeners int) Proposal {
	if l == nil || l.demand() == 0 {
		return s.insufficient(keySomaxconn, fmt.Sprintf("%d listeners, accept queues stayed empty and nothing was dropped", listeners), nil)
	}
	var overflows int64
	s.intervals(func(prev, cur audit.Observation) { overflows += counterDelta(prev, cur, "TcpExt", "ListenOverflows") })
	cur, _ := strconv.ParseInt(s.current(keySomaxconn), 10, 64)
	n := int64(math.Ceil(float64(l.demand()) * Headroom))
	p := Proposal{
		Key: keySomaxconn, Current: s.current(keySomaxconn), Confidence: Medium, Subject: s.name(l),
		Inputs: map[string]any{
			"listener": l.addr.String(), "peak_accept_queue": l.queue, "peak_drops_per_interval": l.drops,
			"application_backlog": l.backlog, "headroom": Headroom, "need": n, "listen_overflows": overflows,
		},
		Formula: fmt.Sprintf("%s: peak accept queue %s + %s dropped in its worst interval = %s × %.1f headroom = %s; its backlog (Send-Q) is %s, somaxconn %s",
			s.name(l), count(l.queue), count(l.drops), count(l.demand()), Headroom, count(n), count(int64(l.backlog)), count(cur)),
	}
	if overflows > 0 {
		p.Formula += fmt.Sprintf("; ListenOverflows rose by %s", count(overflows))
	}
	if l.drops > 0 && l.queue >= int64(l.backlog) {
		p.Confidence = High
	}
	if s.source() != string(audit.CensusNetlink) {
		p.Formula = strings.Replace(p.Formula, "its backlog (Send-Q) is "+count(int64(l.backlog)), "its backlog is unknown (the /proc source does not show it)", 1)
		p.Inputs["application_backlog"] = nil
	} else if int64(l.backlog) < n {
		p.Advice = fmt.Sprintf("the application's own backlog is %s (listen(fd, %s) or less): raise it in %s to at least %s; the limit is fixed when listen() is called, so the process must call listen() again or restart",
			count(int64(l.backlog)), count(int64(l.backlog)), s.name(l), count(n))
		if n <= cur {
			p.Advice += "; a sysctl will not fix this, somaxconn already allows it"
		}
	}
	if n > cur && p.Advice == "" {
		p.Advice = fmt.Sprintf("a listener keeps the limit it got when it called listen(): %s must call listen() with a backlog of at least %s again, or restart, after the change", s.name(l), count(n))
	}
	return decide(p, n > cur, strconv.FormatInt(n, 10))
}

func (s series) synBacklog(l *listenerPeak, listeners int) Proposal {
	cookies := s.current(keySyncookies)
	if l == nil || l.synRecv == 0 {
		return s.insufficient(keySynBacklog, fmt.Sprintf("%d listeners, no request sockets (SYN_RECV) seen", listeners), nil)
	}
	cur, _ := strconv.ParseInt(s.current(keySynBacklog), 10, 64)
	// Without syncookies, SYNs from unproven peers are dropped once the
	// request sockets fill three quarters of tcp_max_syn_backlog.
	n := int64(math.Ceil(float64(l.synRecv) * Headroom * 4 / 3))
	p := Proposal{
		Key: keySynBacklog, Current: s.current(keySynBacklog), Confidence: Medium, Subject: s.name(l),
		Inputs:  map[string]any{"listener": l.addr.String(), "peak_syn_recv": l.synRecv, "headroom": Headroom, "need": n, "tcp_syncookies": cookies},
		Formula: fmt.Sprintf("%s: peak %s SYN_RECV × %.1f headroom × 4/3 (drops start at three quarters) = %s; limit %s", s.name(l), count(l.synRecv), Headroom, count(n), count(cur)),
	}
	if cookies != "0" {
		p.Formula += fmt.Sprintf("; tcp_syncookies is %s, and the kernel reads tcp_max_syn_backlog only when it is 0", cookies)
		return decide(p, false, "")
	}
	return decide(p, n > cur, strconv.FormatInt(n, 10))
}
