package tune

import (
	"fmt"
	"strconv"

	"github.com/tcpaudit/tcpaudit/audit"
)

// twBuckets sizes tcp_max_tw_buckets from the peak rate at which TIME_WAIT
// entries are created, in every direction: the entries seen new in each
// interval, plus the closes that found the table full (TcpExt
// TCPTimeWaitOverflow), each held 60 s (docs/kernel-facts.md §4, §8).
func (s series) twBuckets() []Proposal {
	if p, ok := s.tooFew(keyMaxTwBuckets); ok {
		return []Proposal{p}
	}
	var r rates
	var created, overflow int64
	var overflowRate rates
	s.intervals(func(prev, cur audit.Observation) {
		of := counterDelta(prev, cur, "TcpExt", "TCPTimeWaitOverflow")
		created += int64(cur.NewTimeWait) + of
		overflow += of
		r = append(r, float64(int64(cur.NewTimeWait)+of)/cur.Interval.Seconds())
		overflowRate = append(overflowRate, float64(of)/cur.Interval.Seconds())
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
		},
		Formula: fmt.Sprintf("peak %s TIME_WAIT entries created/s (p90 %s) × %d s × %.1f headroom = %s entries",
			rate(r.peak()), rate(r.p90()), TimeWaitSeconds, Headroom, count(n)),
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

// timeWaitCreated counts the TIME_WAIT entries seen new in every interval.
func (s series) timeWaitCreated() int64 {
	var n int64
	s.intervals(func(_, cur audit.Observation) { n += int64(cur.NewTimeWait) })
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
