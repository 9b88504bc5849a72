package audit

import (
	"cmp"
	"slices"
)

// Destinations holding this many ports, or a quarter of the ephemeral
// range, are heavy: attribution names the processes holding their ports.
const (
	heavyFlowSockets = 100
	heavyFlowsMax    = 5
)

// flowInodes records the inodes of the sockets toward some destinations:
// a bounded heap (AttributionBatch) whose entries carry the destination's
// position in flows, plus one, in place of a state.
type flowInodes struct {
	want  map[Flow]uint8
	flows []Flow
	heap  *inodeHeap
	// states holds the states of the sockets kept.
	states StateSet
}

// WithFlowInodes keeps the inode of the sockets toward the destinations
// given (local and remote addresses unmapped; at most 255), for
// attribution of the ports they hold (see FlowInodes), up to
// AttributionBatch of them.
func WithFlowInodes(flows []Flow) CensusOption {
	return func(c *Census) {
		c.flows = &flowInodes{want: make(map[Flow]uint8), heap: newInodeHeap(0)}
		for _, fl := range flows[:min(len(flows), 255)] {
			c.flows.flows = append(c.flows.flows, fl.unmapped())
			c.flows.want[fl.unmapped()] = uint8(len(c.flows.flows))
		}
	}
}

// FlowInodes maps the inodes of the sockets toward the destinations of
// WithFlowInodes to their destination, in a new map; nil without that
// option.
func (c *Census) FlowInodes() map[uint64]Flow {
	if c.flows == nil {
		return nil
	}
	m := make(map[uint64]Flow)
	for ino, tag := range c.flows.heap.asMap() {
		m[ino] = c.flows.flows[tag-1]
	}
	return m
}

func (c *Census) addFlowInode(fl Flow, inode uint64, st State) {
	if tag := c.flows.want[fl.unmapped()]; tag != 0 {
		c.flows.heap.add(inode, State(tag))
		c.flows.states |= StatesOf(st)
	}
}

// unmapped is the flow with IPv4-mapped addresses unmapped: an AF_INET6
// socket toward an IPv4 peer draws from the same ports as AF_INET ones.
func (fl Flow) unmapped() Flow {
	return Flow{Local: fl.Local.Unmap(), Remote: fl.Remote.Unmap(), RemotePort: fl.RemotePort}
}

// HeavyFlows returns the destinations (unmapped) holding at least 100
// ports or a quarter of the ephemeral range, most ports first, at most 5.
func (c *Census) HeavyFlows() []Flow {
	use := make(map[Flow]int)
	for fl, u := range c.Ephemeral {
		use[fl.unmapped()] += u.Sockets
	}
	floor := heavyFlowSockets
	if c.portHigh >= c.portLow {
		floor = min(floor, (int(c.portHigh)-int(c.portLow)+1)/4)
	}
	var out []Flow
	for fl, n := range use {
		if n >= max(floor, 1) {
			out = append(out, fl)
		}
	}
	slices.SortFunc(out, func(a, b Flow) int {
		return cmp.Or(cmp.Compare(use[b], use[a]), compareFlows(a, b))
	})
	return out[:min(len(out), heavyFlowsMax)]
}

// flowSockets takes a second census, of the sockets toward flows only,
// and returns their inodes, each tagged with its flow's position in flows
// plus one (TIME_WAIT entries have no inode: no process holds them), and
// the states they were in.
func (fsys FS) flowSockets(f *Facts, flows []Flow) (flowSet, error) {
	low, high := f.Census.PortRange()
	c := NewCensus(low, high, WithoutCloseWait(), WithFlowInodes(flows), OnlyStates(AllStates&^StatesOf(TimeWait)))
	if _, err := fsys.Census(c, f.CensusSource); err != nil {
		return flowSet{}, err
	}
	set := c.flows.heap.set()
	set.tagged = true
	return flowSet{set: set, flows: c.flows.flows, states: c.flows.states}, nil
}

// flowSet is what flowSockets found: the tagged inodes, the flows their
// tags stand for, and the states of the sockets.
type flowSet struct {
	set    *InodeSet
	flows  []Flow
	states StateSet
}
