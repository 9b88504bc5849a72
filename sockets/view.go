// Package sockets builds the socket view of `tcpaudit sockets`: a census of
// the TCP sockets under a proc root with the aggregates its grouping needs,
// the processes holding them, the CLOSE_WAIT sockets that outlast repeated
// samples, and the rankings of listeners, destinations, ports and remote
// endpoints. It never prints; package report formats a View.
package sockets

import (
	"context"
	"fmt"
	"time"

	"github.com/tcpaudit/tcpaudit/audit"
)

// By is the grouping a view ranks sockets by.
type By string

// The groupings of a view.
const (
	// ByState counts states and ranks listeners, destinations, remote
	// endpoints and the owners of CLOSE_WAIT sockets.
	ByState By = "state"
	// ByPort ranks local ports.
	ByPort By = "port"
	// ByRemote ranks remote endpoints.
	ByRemote By = "remote"
	// ByProcess ranks the processes holding sockets of every state.
	ByProcess By = "process"
)

// Options say which census a view takes and what it derives from it.
type Options struct {
	// Source is the census source (auto, netlink or proc).
	Source audit.CensusSource
	// State limits the census to one state; 0 counts every state.
	State audit.State
	// By is the grouping; it decides the optional census aggregates.
	By By
	// Top is the number of rows per ranking; it also sizes the bounded
	// remote-endpoint aggregate.
	Top int
	// NoOwners skips looking up the owners of CLOSE_WAIT sockets (ByState).
	NoOwners bool
	// Attribution says how processes are read ("" is auto: a BPF
	// iterator where it can run, the scan of <pid>/fd otherwise).
	Attribution audit.AttributionMode
	// Samples is the number of samples; with 2 or more the view records the
	// CLOSE_WAIT sockets present in every sample and the counter rates.
	Samples int
	// Interval is the time between samples.
	Interval time.Duration
	// Now reads the clock for the elapsed times; nil leaves them zero.
	Now func() time.Time
	// Progress, when not nil, is called after each sample when sampling.
	Progress func(done, total int)
	// Scope narrows the view to one namespace of several (see
	// audit.FS.InScope); nil reads the proc root whole.
	Scope *audit.Scope
}

// View is what `tcpaudit sockets` shows, in any format.
type View struct {
	Source audit.CensusSource
	// Pass is set when the census came from the socket pass (--all-netns)
	// rather than from Source, which its attribution's checks still use.
	Pass    bool
	Elapsed time.Duration // of the census
	State   audit.State   // 0 when every state is counted
	By      By
	Top     int
	Census  *audit.Census
	// Processes is nil when no process attribution was asked for or needed,
	// or when it failed (AttributionFailed).
	Processes *audit.ProcessCensus
	// AttributionFailed is set when the owners were looked up and could
	// not be read (Notes says why).
	AttributionFailed bool
	// Stuck is nil unless the view was sampled.
	Stuck *Stuck
	Rates []audit.Rate
	Notes []string
	// Conntrack is nil when conntrack is not in use in the namespace.
	Conntrack *Conntrack
}

// Stuck is the CLOSE_WAIT sockets that lasted through every sample.
type Stuck struct {
	// Sockets stayed in CLOSE_WAIT through every sample; Beyond were in
	// CLOSE_WAIT at the first but not followed (past AttributionBatch), so
	// the stuck are at least Sockets.
	Sockets, Beyond int
	Samples         int
	Duration        time.Duration
}

// Take takes the census under procRoot as o asks, samples it when
// o.Samples is 2 or more, and attributes sockets to processes. A failed
// attribution becomes a note of the view, not an error.
func Take(ctx context.Context, procRoot string, o Options) (*View, error) {
	fsys, err := audit.NewFS(procRoot)
	if err != nil {
		return nil, err
	}
	if o.Scope != nil {
		fsys = fsys.InScope(*o.Scope)
	}
	var prep *audit.Prepared
	if o.attributes() { // the iterator loads before the census grows
		prep = fsys.WithAttribution(o.Attribution).PrepareAttribution()
		defer prep.Close()
		if err := prep.Err(); err != nil {
			return nil, err
		}
	}
	v, err := take(fsys, o, prep)
	if err != nil {
		return nil, err
	}
	if o.Samples > 1 {
		if err := v.sample(ctx, fsys, o); err != nil {
			return nil, err
		}
	}
	v.attribute(fsys, prep, o)
	return v, nil
}

// take takes the census with the aggregates o.By needs.
func take(fsys audit.FS, o Options, prep *audit.Prepared) (*View, error) {
	lo, hi, err := fsys.PortRange()
	if err != nil {
		return nil, err
	}
	var early []audit.CensusOption
	if prep != nil && o.By == ByState && o.Samples <= 1 {
		// The CLOSE_WAIT sockets are attributed right after the census:
		// the processes are walked while the census is taken.
		early = append(early, prep.CensusOption())
	}
	c := newCensus(o, o.states(), lo, hi, early...)
	v := &View{State: o.State, By: o.By, Top: o.Top, Census: c}
	start := o.now()
	info, err := fsys.Census(c, o.Source)
	if err != nil {
		return nil, fmt.Errorf("socket census: %w", err)
	}
	v.Source, v.Pass, v.Elapsed = info.Source, info.Pass, o.now().Sub(start)
	if v.Conntrack, err = conntrack(fsys); err != nil {
		return nil, err
	}
	if info.Note != "" {
		v.Notes = append(v.Notes, info.Note)
	}
	return v, nil
}

// newCensus makes a census with the optional aggregates the view needs,
// limited to states (0: all), and without the CLOSE_WAIT inodes when
// nothing will use them.
func newCensus(o Options, states audit.StateSet, lo, hi uint16, opts ...audit.CensusOption) *audit.Census {
	switch o.By {
	case ByPort:
		opts = append(opts, audit.WithPortCounts())
	case ByRemote, ByState:
		// Bounded (Space-Saving): the census memory does not grow with
		// the number of distinct remote endpoints.
		opts = append(opts, audit.WithRemotes(max(1000, 10*o.Top)))
	case ByProcess:
		opts = append(opts, audit.WithInodes())
	}
	if states != 0 {
		opts = append(opts, audit.OnlyStates(states))
	}
	if o.Scope != nil { // one namespace of several
		opts = append(opts, audit.Small())
	}
	if (o.By != ByState || o.NoOwners) && o.Samples <= 1 {
		opts = append(opts, audit.WithoutCloseWait()) // neither attributed nor sampled: do not keep inodes
	}
	return audit.NewCensus(lo, hi, opts...)
}

// states is the state filter of the census: 0 for every state.
func (o Options) states() audit.StateSet {
	if o.State == 0 {
		return 0
	}
	return audit.StatesOf(o.State)
}

// now reads the clock of o, the zero time without one.
func (o Options) now() time.Time {
	if o.Now == nil {
		return time.Time{}
	}
	return o.Now()
}

// CensusName says where the census came from, for people: "bpf-iter" for
// the socket pass, else the source (netlink or proc).
func (v *View) CensusName() string {
	if v.Pass {
		return "bpf-iter"
	}
	return string(v.Source)
}
