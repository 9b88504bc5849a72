package watch

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/internal/promtext"
	"github.com/tcpaudit/tcpaudit/internal/visible"
)

// Metrics exports a tracer's counters since it started as Prometheus
// counters and histograms (serve --watch). Labels naming destinations,
// peers, listeners or commands are bounded: the first top values seen
// keep their own series for the life of the exporter, so that every
// series only rises; the others add up under "other".
type Metrics struct {
	tracer Tracer
	top    int

	transitions, opens, timeInState, missed  *promtext.Desc
	timeWaitAll                              *promtext.Desc
	timeWait, byCommand, resets, synack, rtx *promtext.Desc

	// mu guards kept and others: per metric (and extra labels), the label
	// values with a series of their own and their last values, and the
	// last value of "other".
	mu     sync.Mutex
	kept   map[string]map[string]uint64
	others map[string]uint64
}

// histogramBuckets is how many log2 buckets of the time in state are
// exported: up to 2^40 µs (12.7 days); longer stays count in +Inf.
const histogramBuckets = 40

// other is the label value of the series beyond the top ones.
const other = "other"

// NewMetrics returns the metrics of t, with at most top label values per
// ranking.
func NewMetrics(t Tracer, top int) *Metrics {
	d := func(name, help string, labels ...string) *promtext.Desc {
		return promtext.NewDesc("tcpaudit_watch_"+name, help, promtext.Counter, labels...)
	}
	return &Metrics{tracer: t, top: max(top, 1), kept: map[string]map[string]uint64{}, others: map[string]uint64{},
		transitions: d("transitions_total", "TCP state changes (tracepoint sock:inet_sock_set_state) since watch started.", "from", "to"),
		opens:       d("new_connections_total", "Connections opened: active (connect) and passive (accepted).", "direction"),
		timeInState: promtext.NewDesc("tcpaudit_watch_time_in_state_seconds", "Time sockets spent in a state, counted when they leave it.", promtext.Histogram, "state"),
		timeWait:    d("time_wait_created_total", "TIME_WAIT entries created, by destination (address:port).", "destination"),
		byCommand:   d("time_wait_created_by_command_total", "TIME_WAIT entries created, by the command owning the socket.", "command"),
		resets:      d("resets_total", "RSTs sent to and received from a peer address.", "peer", "direction"),
		synack:      d("synack_retransmits_total", "SYN-ACKs retransmitted by a listener (address:port).", "listener"),
		rtx:         d("retransmits_total", "Segments retransmitted toward a destination (address:port).", "destination"),
		timeWaitAll: d("time_wait_total", "TIME_WAIT entries created in the namespaces watched, exact: the series by destination and by command lose counts when the kernel's map of those keys evicts them."),
		missed:      d("missed_events_total", "Events the tracing programs lost: runs the kernel skipped (a program already running on that CPU) and map writes it refused (a lock the interrupted program held)."),
	}
}

// Collect reads the tracer and adds the metrics to s; a failed reading is
// an error of s, which leaves out these metrics only.
func (m *Metrics) Collect(s *promtext.Set) {
	r, err := m.tracer.Read(time.Time{})
	if err != nil {
		s.Fail(fmt.Errorf("watch: %w", err))
		return
	}
	for p, n := range r.Transitions {
		s.Add(m.transitions, float64(n), p.From.String(), p.To.String())
	}
	s.Add(m.missed, float64(r.Missed))
	var all uint64
	for _, n := range r.TimeWaitByNetns {
		all += n
	}
	s.Add(m.timeWaitAll, float64(all))
	active, passive := opens()
	s.Add(m.opens, float64(r.Transitions[active]), "active")
	s.Add(m.opens, float64(r.Transitions[passive]), "passive")
	m.histograms(s, r)
	tw, cmds := map[string]uint64{}, map[string]uint64{}
	for c, n := range r.TimeWait {
		tw[c.Destination.String()] += n
		cmds[owner(c.Owner).Command] += n
	}
	m.bounded(s, m.timeWait, tw)
	m.bounded(s, m.byCommand, cmds)
	sent, received := map[string]uint64{}, map[string]uint64{}
	for p, n := range r.Resets {
		sent[p.Endpoint.Addr().String()] += n.Sent
		received[p.Endpoint.Addr().String()] += n.Received
	}
	m.bounded(s, m.resets, sent, "sent")
	m.bounded(s, m.resets, received, "received")
	m.bounded(s, m.synack, endpoints(r.SynAck))
	m.bounded(s, m.rtx, endpoints(r.Retransmits))
}

func endpoints(c map[Peer]uint64) map[string]uint64 {
	out := map[string]uint64{}
	for p, n := range c {
		out[p.Endpoint.String()] += n
	}
	return out
}

func (m *Metrics) histograms(s *promtext.Set, r Reading) {
	for st := range NStates {
		var count uint64
		buckets := make(map[float64]uint64, histogramBuckets)
		for b, n := range r.Time[st] {
			count += n
			if b < histogramBuckets {
				buckets[float64(uint64(1)<<(b+1))/1e6] = count
			}
		}
		if count > 0 {
			s.AddHistogram(m.timeInState, count, r.Sum[st].Seconds(), buckets, audit.State(st).String())
		}
	}
}

// bounded sends one series per kept label value (extra labels after it)
// and the rest under "other". A series never falls: when its key left the
// kernel's LRU map, or "other" lost a key, it stays at its highest value.
func (m *Metrics) bounded(s *promtext.Set, d *promtext.Desc, counts map[string]uint64, extra ...string) {
	m.mu.Lock()
	id := d.Name() + "," + strings.Join(extra, ",")
	last := m.kept[id]
	if last == nil {
		last = map[string]uint64{}
		m.kept[id] = last
	}
	keys := slices.SortedFunc(maps.Keys(counts), func(a, b string) int { return cmp.Or(cmp.Compare(counts[b], counts[a]), cmp.Compare(a, b)) })
	for _, k := range keys {
		if _, ok := last[k]; !ok && len(last) < m.top && k != other {
			last[k] = 0
		}
	}
	series := map[string]uint64{}
	for k, n := range counts {
		if _, ok := last[k]; ok {
			series[k] += n
		} else {
			series[other] += n
		}
	}
	for k, n := range last {
		series[k] = max(series[k], n)
	}
	series[other] = max(series[other], m.others[id])
	m.others[id] = series[other]
	for k := range last {
		last[k] = series[k]
	}
	m.mu.Unlock()
	for k, n := range series {
		s.Add(d, float64(n), append([]string{visible.String(k)}, extra...)...)
	}
}
