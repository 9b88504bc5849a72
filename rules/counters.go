package rules

import (
	"fmt"
	"strings"
	"time"

	"github.com/tcpaudit/tcpaudit/audit"
)

// counterTrend is what kernel counters that only count up say about now:
// their totals since boot (or since the network namespace was created),
// and, when the host was sampled, how much they rose between samples.
type counterTrend struct {
	names   []string
	total   int64
	delta   int64
	perSec  float64
	sampled bool
	elapsed time.Duration
	// since is when the totals started: "since boot", or "since its
	// network namespace was created" in a namespace not the host's.
	since string
}

// readTrend sums the counters of one section, with their rates when every
// one of them was sampled.
func readTrend(f *audit.Facts, section string, names ...string) counterTrend {
	return trendOf(f, section, func(n string) int64 {
		v, _ := f.Counters.Get(section, n)
		return v
	}, names)
}

// trendOf is the trend of the counters names of section: their totals
// from total, their deltas and rates from the samples.
func trendOf(f *audit.Facts, section string, total func(name string) int64, names []string) counterTrend {
	t := counterTrend{names: names, sampled: f.Sampling != nil, since: countedSince(f)}
	for _, n := range names {
		t.total += total(n)
		r, ok := f.Sampling.Rate(section, n)
		t.sampled = t.sampled && ok
		t.delta += r.Delta
		t.perSec += r.PerSecond
	}
	if t.sampled {
		t.elapsed = f.Sampling.Elapsed
	}
	return t
}

// countedSince says when the counters of f started counting: a network
// namespace's counters start at zero when it is made.
func countedSince(f *audit.Facts) string {
	if ChildNamespace(f) {
		return "since its network namespace was created"
	}
	return "since boot"
}

// rising reports whether the samples saw the counters rise: the problem is
// happening now.
func (t counterTrend) rising() bool { return t.sampled && t.delta > 0 }

// note reports whether the totals alone deserve an info finding: they
// reached min and no sample showed them flat.
func (t counterTrend) note(min int64) bool { return !t.sampled && t.total >= max(min, 1) }

// severity is sev while the counters rise, Info for totals without
// samples, and 0 (no finding from the counters) otherwise.
func (t counterTrend) severity(sev Severity, min int64) Severity {
	switch {
	case t.rising():
		return sev
	case t.note(min):
		return Info
	}
	return 0
}

// describe says what the counters showed: "ListenOverflows, ListenDrops
// 594 since boot; +0 over 2s (0.0/s)".
func (t counterTrend) describe() string {
	s := fmt.Sprintf("%s %d %s", strings.Join(t.names, " + "), t.total, t.since)
	if t.sampled {
		return s + fmt.Sprintf("; %+d over %s of samples (%.1f/s)", t.delta, t.elapsed.Round(time.Millisecond), t.perSec)
	}
	return s + "; a total " + t.since + " says nothing about now: run with --samples to measure the rate"
}

// evidence adds the counters' numbers to ev.
func (t counterTrend) evidence(ev Evidence) Evidence {
	ev["since_boot"] = float64(t.total)
	if t.sampled {
		ev["delta"] = float64(t.delta)
		ev["rate_per_s"] = t.perSec
		ev["elapsed_s"] = t.elapsed.Seconds()
	}
	return ev
}

// maxTrend merges two readings of one event counted twice (ListenDrops
// counts every ListenOverflows too): the larger of each number.
func maxTrend(a, b counterTrend) counterTrend {
	if b.total > a.total || b.delta > a.delta {
		a.names = b.names
	}
	a.total, a.delta, a.perSec = max(a.total, b.total), max(a.delta, b.delta), max(a.perSec, b.perSec)
	a.sampled = a.sampled && b.sampled
	return a
}
