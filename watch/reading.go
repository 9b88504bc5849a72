package watch

import (
	"net/netip"
	"time"

	"github.com/tcpaudit/tcpaudit/audit"
)

// Sizes of the kernel maps' arrays (bpf/watch.c): states are indexed by
// their kernel number, durations in log2 buckets of microseconds.
const (
	NStates  = 16
	NBuckets = 64
)

// Source says where the motion was read from.
type Source string

// Sources of a Reading.
const (
	// FromBPF is the tracepoints, counted by the BPF programs.
	FromBPF Source = "bpf"
	// FromSample is the socket census sampled at an interval: counts of
	// sockets per state, no events.
	FromSample Source = "sample"
)

// Pair is a transition between two states.
type Pair struct{ From, To audit.State }

// Owner is the process a socket was attributed to: PID 0 when no process
// moved it while watched (softirq/kernel).
type Owner struct {
	PID     int
	Command string
}

// Creator is who created TIME_WAIT entries toward a destination.
type Creator struct {
	Owner
	Netns       uint32
	Destination netip.AddrPort
}

// Peer is a remote host (RSTs: port 0) or endpoint (retransmits), or a
// local listener (SYN-ACK retransmits), in a network namespace.
type Peer struct {
	Netns    uint32
	Endpoint netip.AddrPort
}

// OrphanCount are the orphans handed to a tw sock of substate FIN_WAIT2
// and, of those, the ones the peer's FIN then turned into a TIME_WAIT
// (counted in TimeWait too).
type OrphanCount struct{ Handed, Answered uint64 }

// ResetCount are the RSTs exchanged with one peer.
type ResetCount struct{ Sent, Received uint64 }

// Live is a socket still in the state it entered while watched.
type Live struct {
	Owner
	State         audit.State
	Netns         uint32
	Local, Remote netip.AddrPort
	// Age is how long it has been in State.
	Age time.Duration
}

// Reading is one reading of the cumulative counters since the tracer
// started (or, sampled, of the census): readings taken at two times give
// the rates between them.
type Reading struct {
	Source Source
	// At is the time of the reading, from the caller's clock.
	At time.Time
	// Transitions counts state changes; Time the time spent in each state
	// (log2 buckets of microseconds) by sockets that left it, Max the
	// longest of those stays and Sum their total.
	Transitions map[Pair]uint64
	// Missed counts the events lost (BPF only): runs of the tracer's
	// programs the kernel skipped (a program already running on that
	// CPU, interrupted by a softirq that fires a tracepoint it is
	// attached to, is not run again inside itself) and map writes it
	// refused (a lock of the map held by the program interrupted);
	// docs/kernel-facts.md §56. Each is an event not counted.
	Missed   uint64
	Time     [NStates][NBuckets]uint64
	Max      [NStates]time.Duration
	Sum      [NStates]time.Duration
	TimeWait map[Creator]uint64
	// TimeWaitByNetns counts the TIME_WAIT creations per namespace (BPF
	// only; nil sampled): exact where TimeWait's keys were evicted from
	// the kernel's map, which the difference of the two tells.
	TimeWaitByNetns map[uint32]uint64
	// Orphans are the orphaned FIN_WAIT2 sockets handed to a tw sock,
	// by creator as TimeWait (BPF only).
	Orphans     map[Creator]OrphanCount
	Resets      map[Peer]ResetCount
	SynAck      map[Peer]uint64
	Retransmits map[Peer]uint64
	// Live holds the sockets in CLOSE_WAIT or FIN_WAIT2, oldest first.
	Live []Live
	// States counts the sockets per state, sampled readings only.
	States map[audit.State]int
	// TimeWaitTo counts the TIME_WAIT sockets per destination, sampled
	// readings only.
	TimeWaitTo map[netip.AddrPort]int
}

// Baseline returns the reading a watch's rates start from, at the
// caller's time at: for a BPF tracer its counters as they were when it
// attached, all zero, since its maps are made with it (a first read taken
// later would leave out what happened in between); for a sampler its
// first sample.
func Baseline(tr Tracer, at time.Time) (Reading, error) {
	if b, ok := tr.(interface{ baseline(time.Time) Reading }); ok {
		return b.baseline(at), nil
	}
	return tr.Read(at)
}

// Tracer reads the motion of TCP connections.
type Tracer interface {
	// Read returns the counters now; at is the caller's clock.
	Read(at time.Time) (Reading, error)
	// Close detaches and frees what the tracer holds.
	Close() error
}
