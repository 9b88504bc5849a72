// Package tune sizes TCP sysctls from what a host was observed doing: it
// takes a series of audit.Observations and returns, for each key it can
// size, the current value, the proposed one and the arithmetic from the
// measured numbers. It never reads the host, the clock, or prints.
package tune

import (
	"math"
	"slices"
	"time"

	"github.com/tcpaudit/tcpaudit/audit"
)

// Headroom is the margin every proposal keeps above the measured peak.
const Headroom = 1.5

// TimeWaitSeconds is how long a TIME_WAIT entry holds its 4-tuple:
// TCP_TIMEWAIT_LEN, fixed (docs/kernel-facts.md §4).
const TimeWaitSeconds = 60

// minEvents is the fewest events (connections, TIME_WAIT entries) a rate
// is sized from; below it the key is insufficient-data.
const minEvents = 10

// Verdict is what a proposal says to do.
type Verdict string

// Verdicts.
const (
	Change           Verdict = "change"
	NoChange         Verdict = "no-change"
	InsufficientData Verdict = "insufficient-data"
)

// Confidence says how much the measurement behind a proposal can be trusted.
type Confidence string

// Confidence levels: high from five or more intervals with activity,
// medium from two to four, low from one.
const (
	High         Confidence = "high"
	Medium       Confidence = "medium"
	Low          Confidence = "low"
	Insufficient Confidence = "insufficient-data"
)

// Proposal is the sizing of one sysctl key.
type Proposal struct {
	Key     string `json:"key"`
	Current string `json:"current"`
	// Proposed is the value to set; "" unless Verdict is Change.
	Proposed string `json:"proposed,omitempty"`
	// Inputs are the measured and configured numbers the formula uses.
	Inputs map[string]any `json:"inputs"`
	// Formula is the arithmetic with the numbers filled in.
	Formula    string     `json:"formula"`
	Confidence Confidence `json:"confidence"`
	Verdict    Verdict    `json:"verdict"`
	// Advice is what no sysctl fixes (an application's backlog, connection
	// reuse), when the numbers point there.
	Advice string `json:"advice,omitempty"`
	// Subject names what the proposal was sized for: a destination, a
	// listener and its process, a flow.
	Subject string `json:"subject,omitempty"`
	// HostWide is set for a global key sized in a network namespace that
	// is not the host's: Current is the host's value, and only the host
	// can change it.
	HostWide bool `json:"host_wide,omitempty"`
}

// Report is the outcome of sizing: what was observed and the proposals.
type Report struct {
	Readings int `json:"readings"`
	// Span is the time from the first reading to the last, in seconds;
	// Start and End are when they were taken (absent with no reading).
	// Namespaces observed at once each have their own: a reading that
	// takes longer than the interval makes the next ones skipped.
	Span      float64    `json:"span_s"`
	Start     time.Time  `json:"start,omitzero"`
	End       time.Time  `json:"end,omitzero"`
	Source    string     `json:"census_source"`
	Truncated bool       `json:"truncated,omitempty"`
	Proposals []Proposal `json:"proposals"`
}

// Keys are the sysctls sizing reads.
func Keys() []string {
	return []string{
		keyPortRange, keyReservedPorts, keyUnprivilegedPort, keyMaxTwBuckets, keyTwReuse,
		keyTimestamps, keySomaxconn, keySynBacklog, keySyncookies, keyRmem, keyWmem,
		keyRmemMax, keyWmemMax, keyMaxOrphans, keyFinTimeout,
	}
}

// The keys sized or read.
const (
	keyPortRange        = "net.ipv4.ip_local_port_range"
	keyReservedPorts    = "net.ipv4.ip_local_reserved_ports"
	keyUnprivilegedPort = "net.ipv4.ip_unprivileged_port_start"
	keyMaxTwBuckets     = "net.ipv4.tcp_max_tw_buckets"
	keyTwReuse          = "net.ipv4.tcp_tw_reuse"
	keyTimestamps       = "net.ipv4.tcp_timestamps"
	keySomaxconn        = "net.core.somaxconn"
	keySynBacklog       = "net.ipv4.tcp_max_syn_backlog"
	keySyncookies       = "net.ipv4.tcp_syncookies"
	keyRmem             = "net.ipv4.tcp_rmem"
	keyWmem             = "net.ipv4.tcp_wmem"
	keyRmemMax          = "net.core.rmem_max"
	keyWmemMax          = "net.core.wmem_max"
	keyMaxOrphans       = "net.ipv4.tcp_max_orphans"
	keyFinTimeout       = "net.ipv4.tcp_fin_timeout"
)

// Plan sizes every key from the observations, oldest first; owners names
// the processes holding listener sockets (nil when unknown).
func Plan(obs []audit.Observation, owners *audit.Attribution) Report {
	return series{obs: obs, owners: owners}.plan()
}

// plan sizes every key.
func (s series) plan() Report {
	obs := s.obs
	r := Report{Readings: len(obs)}
	if len(obs) > 0 {
		last := obs[len(obs)-1]
		r.Span, r.Source = last.At.Sub(obs[0].At).Seconds(), string(last.Source)
		r.Start, r.End = obs[0].At, last.At
	}
	for _, o := range obs {
		r.Truncated = r.Truncated || o.Truncated
	}
	r.Proposals = slices.Concat(
		s.portRange(), s.twBuckets(), s.twReuse(), s.backlog(),
		s.buffers(), s.orphans(), s.finTimeout(),
	)
	return r
}

// series is the observations being sized from; for a guest namespace,
// with the host's values of the global keys.
type series struct {
	obs    []audit.Observation
	owners *audit.Attribution
	host   map[string]string
	guest  bool
}

// last returns the latest observation.
func (s series) last() audit.Observation { return s.obs[len(s.obs)-1] }

// current returns the latest value of a sysctl, "" when unread; for a
// global key in a guest namespace, the host's value.
func (s series) current(key string) string {
	if s.guest && isGlobal(key) {
		return s.host[key]
	}
	if len(s.obs) == 0 {
		return ""
	}
	return s.last().Sysctls[key]
}

// intervals calls fn for each observation after the first with its
// predecessor.
func (s series) intervals(fn func(prev, cur audit.Observation)) {
	for i := 1; i < len(s.obs); i++ {
		if s.obs[i].Interval > 0 {
			fn(s.obs[i-1], s.obs[i])
		}
	}
}

// counterDelta returns how much a counter rose from prev to cur, 0 when
// either reading lacks it.
func counterDelta(prev, cur audit.Observation, section, name string) int64 {
	d, _ := counterRise(prev, cur, section, name)
	return d
}

// counterRise returns how much a counter rose from prev to cur, and
// whether both readings had it (a counter that fell, reset, rose by 0).
func counterRise(prev, cur audit.Observation, section, name string) (int64, bool) {
	a, ok1 := prev.Counters.Get(section, name)
	b, ok2 := cur.Counters.Get(section, name)
	if !ok1 || !ok2 {
		return 0, false
	}
	return max(b-a, 0), true
}

// rates is a series of per-interval rates.
type rates []float64

// peak returns the highest rate, 0 for none.
func (r rates) peak() float64 {
	if len(r) == 0 {
		return 0
	}
	return slices.Max(r)
}

// p90 returns the 90th percentile by nearest rank, 0 for none.
func (r rates) p90() float64 {
	if len(r) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(r))
	return s[int(math.Ceil(0.9*float64(len(s))))-1]
}

// confidence grades a rate by the intervals in which something happened.
func (r rates) confidence() Confidence {
	n := 0
	for _, v := range r {
		if v > 0 {
			n++
		}
	}
	switch {
	case n >= 5:
		return High
	case n >= 2:
		return Medium
	case n == 1:
		return Low
	}
	return Insufficient
}

// need is the size a peak rate of entries, each held for hold seconds,
// needs with Headroom. The rate is taken as the formula prints it (to 0.1
// per second), so the product printed multiplies out; the small epsilon
// keeps 1.1 × 60 × 1.5 at 99, not the 100 binary floating point rounds
// up to.
func need(peak float64, hold float64) int64 {
	shown := math.Round(peak*10) / 10
	return int64(math.Ceil(shown*hold*Headroom - 1e-6))
}
