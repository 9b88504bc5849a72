package tune

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/tcpaudit/tcpaudit/audit"
)

// portRange sizes ip_local_port_range from the peak rate of new outgoing
// connections to one destination: each 4-tuple is held 60 s in TIME_WAIT
// by the side that closes first, and the ports are counted per (source IP,
// destination IP, destination port) (docs/kernel-facts.md §4, §7).
func (s series) portRange() []Proposal {
	if p, ok := s.tooFew(keyPortRange); ok {
		return []Proposal{p}
	}
	byDest, total, unseen := s.newOutgoing()
	if total < minEvents {
		return []Proposal{s.insufficient(keyPortRange, fmt.Sprintf("%d new outgoing connections in %s", total, seconds(s.last().At.Sub(s.obs[0].At))), nil)}
	}
	dest, r := busiestDest(byDest)
	if r.peak() == 0 {
		return []Proposal{s.insufficient(keyPortRange, fmt.Sprintf("%d new outgoing connections in %s, counted by Tcp ActiveOpens, and not one new 4-tuple seen by the socket census: their destination is unknown", total, seconds(s.last().At.Sub(s.obs[0].At))), nil)}
	}
	lo, hi, ok := parseRange(s.current(keyPortRange))
	if !ok {
		return []Proposal{s.insufficient(keyPortRange, "ip_local_port_range could not be read", nil)}
	}
	pool := s.portPool()
	n := need(r.peak(), TimeWaitSeconds)
	to := "to " + destination(dest)
	if unseen > 0 {
		to = fmt.Sprintf("to %s, the destination with the most new 4-tuples (%d connections were counted by Tcp ActiveOpens alone, their destinations unknown, and shared out by their TIME_WAIT entries, else by the sockets of the destinations with new 4-tuples)", destination(dest), unseen)
	}
	supply := pool.available(lo, hi)
	p := Proposal{
		Key: keyPortRange, Current: s.current(keyPortRange), Confidence: r.confidence(),
		Subject: destination(dest),
		Inputs: map[string]any{
			"destination": destination(dest), "peak_new_per_s": r.peak(), "p90_new_per_s": r.p90(),
			"time_wait_s": TimeWaitSeconds, "headroom": Headroom, "need_ports": n,
			"range_ports": int(hi) - int(lo) + 1, "available_ports": supply,
			"reserved_in_range": pool.reservedIn(lo, hi), "listening_in_range": pool.listeningIn(lo, hi),
			"unattributed_connections": unseen, "new_connections": total,
		},
		Formula: fmt.Sprintf("peak %s new connections/s %s (p90 %s) × %d s TIME_WAIT × %.1f headroom = %s ports; %d-%d holds %s (%s reserved, %s listening ports left out)",
			rate(r.peak()), to, rate(r.p90()), TimeWaitSeconds, Headroom, count(n), lo, hi,
			count(supply), count(pool.reservedIn(lo, hi)), count(pool.listeningIn(lo, hi))),
	}
	if n <= supply {
		return []Proposal{decide(p, false, "")}
	}
	newLo, enough := pool.lowFor(n, lo)
	if !enough {
		p.Advice = fmt.Sprintf("even %d-65535 (%s ports) is not enough: reuse connections to %s (keep-alive, pooling), or spread them over more source addresses (each source address has its own ports)",
			pool.floor, count(pool.available(pool.floor, 65535)), destination(dest))
	}
	return []Proposal{decide(p, true, fmt.Sprintf("%d 65535", newLo))}
}

// newOutgoing returns the rate of new outgoing connections per destination
// in each interval, their total, and how many of them only the counters
// saw (their destinations unknown). The total of an interval comes from
// the counters where they rose: Tcp ActiveOpens counts every connect()
// (docs/kernel-facts.md §31), failed ones too (Tcp AttemptFails, which
// could take them out, also counts handshakes failed on listeners), and counters are read in an instant, while a census sees
// each socket at some moment of a dump that, on a host with many sockets,
// takes a good part of a second. A 4-tuple taken over within an interval
// (tcp_tw_reuse, a narrow port range) is not new to the census either.
// Each destination gets its new 4-tuples, and the connections the census
// did not see as new are shared out by the destinations' TIME_WAIT
// entries (a 4-tuple connect() takes over is a TIME_WAIT entry toward the
// same destination, docs/kernel-facts.md §31), by their sockets when none
// is in TIME_WAIT.
func (s series) newOutgoing() (map[audit.Flow]rates, int, int) {
	byDest := map[audit.Flow]rates{}
	total, seenAll := 0, 0
	s.intervals(func(prev, cur audit.Observation) {
		seen := seenOutgoing(cur)
		seenAll += seen
		n, perS := seen, float64(seen)/cur.Interval.Seconds()
		if opens, ok := counterRise(prev, cur, "Tcp", "ActiveOpens"); ok && cur.CountersInterval > 0 {
			n, perS = int(opens), float64(opens)/cur.CountersInterval.Seconds()
		}
		extra, weigh := max(n-seen, 0), sharing(cur.Outgoing)
		for fl, u := range cur.Outgoing {
			share := 0.0 // nothing new: no connection to share
			if seen+extra > 0 {
				share = (float64(u.New) + float64(extra)*weigh(u)) / float64(seen+extra)
			}
			byDest[fl] = append(byDest[fl], share*perS)
		}
		total += n
	})
	// Over the run the census and the counters see the same connections
	// unless 4-tuples were taken over; per interval they differ by when
	// each was read.
	unseen := max(total-seenAll, 0)
	if float64(unseen) <= float64(total)*unseenMargin {
		unseen = 0
	}
	return byDest, total, unseen
}

// sharing returns each destination's part of the connections the census
// did not see as new: by TIME_WAIT entries, else by the sockets of the
// destinations with new 4-tuples. A destination with neither holds
// long-lived connections only (a pool, a client's session to a
// listener): nothing says new ones went there, and it gets no part; with
// no destination to take them, they stay unattributed.
func sharing(out map[audit.Flow]audit.OutgoingLoad) func(audit.OutgoingLoad) float64 {
	tw, socks := 0, 0
	for _, u := range out {
		tw += u.TimeWait
		if u.New > 0 {
			socks += u.Sockets
		}
	}
	return func(u audit.OutgoingLoad) float64 {
		switch {
		case tw > 0:
			return float64(u.TimeWait) / float64(tw)
		case socks > 0 && u.New > 0:
			return float64(u.Sockets) / float64(socks)
		}
		return 0
	}
}

// unseenMargin is the share of connections the counters may count beyond
// the census's new 4-tuples before the formula says so: below it the
// difference is the moment between a dump's sockets and the counters.
const unseenMargin = 0.1

// seenOutgoing is how many new outgoing 4-tuples the census saw in ob.
func seenOutgoing(ob audit.Observation) int {
	n := 0
	for _, u := range ob.Outgoing {
		n += u.New
	}
	return n
}

// busiestDest returns the destination with the highest peak rate.
func busiestDest(byDest map[audit.Flow]rates) (audit.Flow, rates) {
	var best audit.Flow
	var br rates
	for fl, r := range byDest {
		if br == nil || r.peak() > br.peak() || (r.peak() == br.peak() && destination(fl) < destination(best)) {
			best, br = fl, r
		}
	}
	return best, br
}

// destination names a destination as remote address:port.
func destination(fl audit.Flow) string {
	return fmt.Sprintf("%s:%d", fl.Remote.String(), fl.RemotePort)
}

// parseRange parses "low high".
func parseRange(v string) (uint16, uint16, bool) {
	var lo, hi uint16
	if _, err := fmt.Sscan(v, &lo, &hi); err != nil || lo == 0 || lo > hi {
		return 0, 0, false
	}
	return lo, hi, true
}

// ports is the set of ports connect() skips: reserved and listening ones,
// and the lowest port a range may start at.
type ports struct {
	skip  map[uint16]bool
	res   map[uint16]bool
	floor uint16
}

func (s series) portPool() ports {
	p := ports{skip: map[uint16]bool{}, res: reservedPorts(s.current(keyReservedPorts)), floor: 1024}
	if v, err := strconv.Atoi(s.current(keyUnprivilegedPort)); err == nil && v > 1024 && v < 65535 {
		p.floor = uint16(v)
	}
	for _, l := range s.last().Listeners {
		p.skip[l.Port] = true
	}
	for port := range p.res {
		p.skip[port] = true
	}
	return p
}

// available counts the ports of [lo, hi] connect() can use.
func (p ports) available(lo, hi uint16) int64 {
	return int64(hi) - int64(lo) + 1 - p.skipped(lo, hi, p.skip)
}

func (p ports) reservedIn(lo, hi uint16) int64 { return p.skipped(lo, hi, p.res) }

func (p ports) listeningIn(lo, hi uint16) int64 {
	return p.skipped(lo, hi, p.skip) - p.skipped(lo, hi, p.res)
}

func (p ports) skipped(lo, hi uint16, set map[uint16]bool) int64 {
	var n int64
	for port := range set {
		if port >= lo && port <= hi {
			n++
		}
	}
	return n
}

// lowFor returns the highest even low end (ends of different parity, as
// the kernel prefers) at or below lo whose range up to 65535 holds n
// usable ports, and false with the floor when none does.
func (p ports) lowFor(n int64, lo uint16) (uint16, bool) {
	var have int64
	for port := 65535; port >= int(p.floor); port-- {
		if !p.skip[uint16(port)] {
			have++
		}
		if have >= n && port%2 == 0 {
			return min(uint16(port), lo), true
		}
	}
	return p.floor, false
}

// reservedPorts parses ip_local_reserved_ports: "8080,9000-9010".
func reservedPorts(v string) map[uint16]bool {
	set := map[uint16]bool{}
	for _, part := range strings.Split(strings.TrimSpace(v), ",") {
		a, b, isRange := strings.Cut(strings.TrimSpace(part), "-")
		lo, err1 := strconv.ParseUint(a, 10, 16)
		hi, err2 := lo, error(nil)
		if isRange {
			hi, err2 = strconv.ParseUint(b, 10, 16)
		}
		if err1 != nil || err2 != nil {
			continue
		}
		for port := lo; port <= hi && port <= 65535; port++ {
			set[uint16(port)] = true
		}
	}
	return set
}
