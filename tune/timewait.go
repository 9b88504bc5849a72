package tune

import (
	"fmt"
	"strconv"

	"github.com/tcpaudit/tcpaudit/audit"
)

// twBuckets sizes tcp_max_tw_buckets from the peak rate at which timewait
// entries are created: the rise of TcpExt TW and TWKilled, which count
// every entry once when its timer is armed (TIME_WAIT and orphaned
// FIN_WAIT2 alike, both held against the limit), plus the closes that
// found the table full (TcpExt TCPTimeWaitOverflow), each held 60 s
// (docs/kernel-facts.md §4, §8, §31). A 4-tuple taken over and closed
// again within an interval (tcp_tw_reuse) is in TIME_WAIT at both
// readings, so the census alone undercounts; it is used only where the
// counters are missing.
func (s series) twBuckets() []Proposal {
	if p, ok := s.tooFew(keyMaxTwBuckets); ok {
		return []Proposal{p}
	}
	var r, overflowRate rates
	var created, overflow int64
	from := createdFromCounters
	s.intervals(func(prev, cur audit.Observation) {
		of := counterDelta(prev, cur, "TcpExt", "TCPTimeWaitOverflow")
		n, counted := armed(prev, cur)
		if !counted {
			from = createdFromCensus
		}
		created += n + of
		overflow += of
		span := cur.Interval
		if counted && cur.CountersInterval > 0 {
			span = cur.CountersInterval // the counters' own readings
		}
		r = append(r, float64(n+of)/span.Seconds())
		overflowRate = append(overflowRate, float64(of)/span.Seconds())
	})
	if created < minEvents {
		return []Proposal{s.insufficient(keyMaxTwBuckets, fmt.Sprintf("%d TIME_WAIT entries created in %s", created, seconds(s.last().At.Sub(s.obs[0].At))), nil)}
	}
	cur, err := strconv.ParseInt(s.current(keyMaxTwBuckets), 10, 64)
	n := need(r.peak(), TimeWaitSeconds)
	p := Proposal{
		Key: keyMaxTwBuckets, Current: s.current(keyMaxTwBuckets), Confidence: r.confidence(),
		Inputs: map[string]any{
			"peak_created_per_s": r.peak(), "p90_created_per_s": r.p90(), "time_wait_s": TimeWaitSeconds,
			"headroom": Headroom, "need_entries": n, "overflows": overflow, "peak_overflow_per_s": overflowRate.peak(),
			"created": created, "created_from": from,
		},
		Formula: fmt.Sprintf("peak %s TIME_WAIT entries created/s (p90 %s; %s) × %d s × %.1f headroom = %s entries",
			rate(r.peak()), rate(r.p90()), from, TimeWaitSeconds, Headroom, count(n)),
	}
	if overflow > 0 {
		p.Formula += fmt.Sprintf("; TCPTimeWaitOverflow rose by %s (peak %s/s): closes that found the table full, counted in the rate", count(overflow), rate(overflowRate.peak()))
	}
	if err != nil {
		p.Formula += "; tcp_max_tw_buckets could not be read"
		return []Proposal{decide(p, true, strconv.FormatInt(n, 10))}
	}
	p.Formula += "; limit " + count(cur)
	return []Proposal{decide(p, n > cur, strconv.FormatInt(n, 10))}
}

// Where the count of timewait entries created comes from.
const (
	createdFromCounters = "TcpExt TW + TWKilled"
	createdFromCensus   = "entries new to the census, a lower bound: TcpExt TW unread"
)

// armed returns the timewait entries created between two readings: the
// rise of TcpExt TW plus TWKilled, counted by the kernel once per entry
// when its timer is armed (net/ipv4/inet_timewait_sock.c
// __inet_twsk_schedule), and true; or, when TW is missing from either
// reading, the TIME_WAIT entries new to the census, and false.
func armed(prev, cur audit.Observation) (int64, bool) {
	tw, ok := counterRise(prev, cur, "TcpExt", "TW")
	if !ok {
		return int64(cur.NewTimeWait), false
	}
	return tw + counterDelta(prev, cur, "TcpExt", "TWKilled"), true
}

// twReuse proposes tcp_tw_reuse = 1 when outgoing connections to one
// destination hold most TIME_WAIT entries and reuse does not already apply
// to them: with it, connect() may take over such an entry instead of
// needing another port (docs/kernel-facts.md §5). Entries left from before
// the observation say nothing about the workload: under minEvents created
// while observed, the key is insufficient-data like the others.
func (s series) twReuse() []Proposal {
	if p, ok := s.tooFew(keyTwReuse); ok {
		return []Proposal{p}
	}
	if created := s.timeWaitCreated(); created < minEvents {
		return []Proposal{s.insufficient(keyTwReuse, fmt.Sprintf("%d TIME_WAIT entries created in %s", created, seconds(s.last().At.Sub(s.obs[0].At))), nil)}
	}
	ob := s.mostTimeWait()
	total := ob.States[audit.TimeWait]
	dest, tw := audit.Flow{}, 0
	for fl, u := range ob.Outgoing {
		if u.TimeWait > tw || (u.TimeWait == tw && tw > 0 && destination(fl) < destination(dest)) {
			dest, tw = fl, u.TimeWait
		}
	}
	if total < minEvents {
		return []Proposal{s.insufficient(keyTwReuse, fmt.Sprintf("at most %d TIME_WAIT entries", total), nil)}
	}
	reuse := s.current(keyTwReuse)
	share := float64(tw) / float64(total)
	p := Proposal{
		Key: keyTwReuse, Current: reuse, Confidence: Medium, Subject: destination(dest),
		Inputs:  map[string]any{"time_wait": total, "outgoing_time_wait_to_destination": tw, "share": share, "destination": destination(dest), "tcp_timestamps": s.current(keyTimestamps)},
		Formula: fmt.Sprintf("%s of %s TIME_WAIT entries (%.0f%%) are outgoing connections to %s", count(int64(tw)), count(int64(total)), 100*share, destination(dest)),
	}
	switch {
	case share < 0.5:
		p.Formula += "; no destination holds most of them, reuse would not free many ports"
		return []Proposal{decide(p, false, "")}
	case reuse == "1":
		p.Formula += "; tcp_tw_reuse is already 1"
		return []Proposal{decide(p, false, "")}
	case reuse == "2" && dest.Remote.Unmap().IsLoopback():
		p.Formula += "; tcp_tw_reuse 2 already applies to loopback destinations"
		return []Proposal{decide(p, false, "")}
	}
	p.Formula += fmt.Sprintf("; with tcp_tw_reuse = 1 (now %s) connect() to it may take over a TIME_WAIT entry whose last timestamp is a second old instead of needing another port", reuse)
	if s.current(keyTimestamps) == "0" {
		p.Advice = "tcp_tw_reuse needs TCP timestamps: tcp_timestamps is 0 here, set it to 1 as well"
	}
	return []Proposal{decide(p, true, "1")}
}

// timeWaitCreated counts the timewait entries created in every interval
// (armed).
func (s series) timeWaitCreated() int64 {
	var n int64
	s.intervals(func(prev, cur audit.Observation) {
		c, _ := armed(prev, cur)
		n += c
	})
	return n
}

// mostTimeWait returns the observation with the most TIME_WAIT entries.
func (s series) mostTimeWait() audit.Observation {
	best := s.obs[0]
	for _, o := range s.obs[1:] {
		if o.States[audit.TimeWait] > best.States[audit.TimeWait] {
			best = o
		}
	}
	return best
}
