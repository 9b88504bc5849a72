package tune

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/tcpaudit/tcpaudit/audit"
)

// orphanShift is the factor the kernel applies to the orphan count of a
// socket that retransmits or stalled before comparing it with
// tcp_max_orphans (tcp_out_of_resources, tcp_too_many_orphans).
const orphanShift = 2

// orphans sizes tcp_max_orphans from the peak orphan count of sockstat
// (docs/kernel-facts.md §24).
func (s series) orphans() []Proposal {
	var peak int64
	for _, o := range s.obs {
		if v, ok := o.Sockstat.Get("TCP", "orphan"); ok {
			peak = max(peak, v)
		}
	}
	if peak == 0 {
		return []Proposal{s.insufficient(keyMaxOrphans, fmt.Sprintf("no orphaned socket in %d readings", len(s.obs)), nil)}
	}
	cur, err := strconv.ParseInt(s.current(keyMaxOrphans), 10, 64)
	n := int64(math.Ceil(float64(peak) * orphanShift * Headroom))
	p := Proposal{
		Key: keyMaxOrphans, Current: s.current(keyMaxOrphans), Confidence: Medium,
		Inputs:  map[string]any{"peak_orphans": peak, "shift_factor": orphanShift, "headroom": Headroom, "need": n},
		Formula: fmt.Sprintf("peak %s orphaned sockets × %d (when a retransmission or probe timer fires on an orphan that has sent nothing for a long time, the kernel judges the orphan count doubled, docs/kernel-facts.md §24) × %.1f headroom = %s", count(peak), orphanShift, Headroom, count(n)),
	}
	if err != nil {
		return []Proposal{unreadable(p)}
	}
	p.Formula += "; limit " + count(cur)
	return []Proposal{decide(p, n > cur, strconv.FormatInt(n, 10))}
}

// minFinTimeout is the lowest tcp_fin_timeout proposed.
const minFinTimeout = 10

// finTimeout weighs tcp_fin_timeout from the orphaned FIN_WAIT2 sockets:
// each waits up to the timeout for the peer's FIN as a timewait entry that
// counts against tcp_max_tw_buckets (docs/kernel-facts.md §4). It proposes
// a shorter timeout only when orphans created at the peak rate, held that
// long, would not fit beside the TIME_WAIT entries.
func (s series) finTimeout() []Proposal {
	if p, ok := s.tooFew(keyFinTimeout); ok {
		return []Proposal{p}
	}
	var r rates
	var peakHeld, peakTW, fw2 int
	var longest time.Duration
	s.intervals(func(_, cur audit.Observation) {
		r = append(r, float64(cur.FinWait2.NewOrphaned)/cur.Interval.Seconds())
	})
	for _, o := range s.obs {
		peakHeld = max(peakHeld, o.FinWait2.Orphaned)
		peakTW = max(peakTW, o.States[audit.TimeWait])
		fw2 = max(fw2, o.FinWait2.Count)
		longest = max(longest, o.FinWait2.Oldest, o.FinWait2.LongestEnded)
	}
	if peakHeld == 0 {
		seen := fmt.Sprintf("no orphaned FIN_WAIT2 socket in %d readings", len(s.obs))
		if fw2 > 0 {
			seen += fmt.Sprintf(" (%d FIN_WAIT2 sockets held by their applications: no timeout applies to them)", fw2)
		}
		return []Proposal{s.insufficient(keyFinTimeout, seen, nil)}
	}
	if r.peak() == 0 {
		return []Proposal{s.insufficient(keyFinTimeout, fmt.Sprintf("no orphaned FIN_WAIT2 socket created in %d readings (%d present at most)", len(s.obs), peakHeld), nil)}
	}
	t, _ := strconv.ParseInt(s.current(keyFinTimeout), 10, 64)
	limit, _ := strconv.ParseInt(s.current(keyMaxTwBuckets), 10, 64)
	room := limit - int64(peakTW)
	held := need(r.peak(), float64(t))
	p := Proposal{
		Key: keyFinTimeout, Current: s.current(keyFinTimeout), Confidence: r.confidence(),
		Inputs: map[string]any{
			"peak_orphaned_fin_wait2": peakHeld, "peak_new_per_s": r.peak(), "longest_seen_s": longest.Seconds(),
			"fin_timeout_s": t, "headroom": Headroom, "held": held, "tw_room": room,
		},
		Formula: fmt.Sprintf("peak %s orphaned FIN_WAIT2/s × %d s × %.1f headroom = %s held (peak seen %d, longest %s); tcp_max_tw_buckets %s − peak TIME_WAIT %s leaves %s",
			rate(r.peak()), t, Headroom, count(held), peakHeld, seconds(longest), count(limit), count(int64(peakTW)), count(room)),
	}
	if p.Confidence == Insufficient {
		p.Confidence = Low
	}
	if held <= room {
		return []Proposal{decide(p, false, "")}
	}
	nt := max(minFinTimeout, int64(float64(room)/(r.peak()*Headroom)))
	return []Proposal{decide(p, nt < t, strconv.FormatInt(nt, 10))}
}
