package watch

import (
	"github.com/tcpaudit/tcpaudit/rules"
)

// Report is what watch saw between two readings: rates, histograms and
// rankings, and the findings judged on them. Addresses and process names
// are raw: a writer escapes them before a terminal.
type Report struct {
	Source Source `json:"source"`
	// Note says why the report was sampled, when it was.
	Note string `json:"note,omitempty"`
	// Netns is the inode of the namespace watched, 0 for every one.
	Netns uint32 `json:"netns"`
	// Watched names the namespace watched as the other commands name it
	// (the one chosen with --netns, else this process's own); nil for
	// every one, and when this process's own could not be named.
	Watched  *Watched `json:"netns_watched,omitempty"`
	ElapsedS float64  `json:"elapsed_s"`
	// Transitions are the state changes (BPF only), most frequent first.
	Transitions    []TransitionRate `json:"transitions"`
	NewConnections NewConnections   `json:"new_connections"`
	// TimeInState is the time sockets spent per state (BPF only).
	TimeInState []StateTime `json:"time_in_state"`
	// Longest are the oldest sockets still in CLOSE_WAIT or FIN_WAIT2.
	Longest []LongLived `json:"longest_lived"`
	// TimeWaitCreated are all the TIME_WAIT entries created (sampled: the
	// TIME_WAIT sockets of the last sample, and their count ÷ 60 s).
	TimeWaitCreated Rate `json:"time_wait_created"`
	// TimeWaitUnlisted is how many of TimeWaitCreated are in no row by
	// process or destination: the kernel's map of those keys (8,192
	// asked for, least recently used evicted; a connection accepted and
	// closed first by this host has a client's port for destination, a
	// key of its own) evicted their counts. BPF only; 0 sampled.
	TimeWaitUnlisted uint64 `json:"time_wait_unlisted,omitempty"`
	// OrphansCreated are the orphaned FIN_WAIT2 sockets handed to a tw
	// sock that the peer's FIN did not turn into a TIME_WAIT (BPF only).
	OrphansCreated        Rate           `json:"orphans_created"`
	TimeWaitByProcess     []ProcessRate  `json:"time_wait_by_process"`
	TimeWaitByDestination []Projection   `json:"time_wait_by_destination"`
	Resets                []PeerResets   `json:"resets_by_peer"`
	SynAckRetransmits     []EndpointRate `json:"synack_retransmits_by_listener"`
	Retransmits           []EndpointRate `json:"retransmits_by_destination"`
	// StateChanges are the net changes of the socket counts per state
	// between the first and last samples (sampled only).
	StateChanges []StateChange `json:"state_changes,omitempty"`
	// PortRange and MaxTWBuckets (net.ipv4.tcp_max_tw_buckets, 0 when
	// unknown) are those of the namespace watched; zero when every
	// namespace is (see Namespaces).
	PortRange    PortRange `json:"port_range"`
	MaxTWBuckets int       `json:"tcp_max_tw_buckets,omitempty"`
	// Namespaces are the namespaces watched and those TIME_WAIT entries
	// were created in, with the keys each was judged by.
	Namespaces []NamespaceRates `json:"namespaces"`
	// Findings are judged on the rates (see Judge).
	Findings []rules.Finding `json:"findings"`
	// MissedEvents counts the events lost during the report: runs of the
	// tracing programs the kernel skipped and map writes it refused (see
	// Reading.Missed). Every count above may be low by as many. BPF only.
	MissedEvents uint64 `json:"missed_events,omitempty"`
}

// Rate is a count over the report's time and its rate per second.
type Rate struct {
	Count uint64  `json:"count"`
	PerS  float64 `json:"per_s"`
}

// TransitionRate is one state change's rate.
type TransitionRate struct {
	From string `json:"from"`
	To   string `json:"to"`
	Rate
}

// NewConnections are connections opened: active (connect(), CLOSE to
// SYN_SENT) and passive (accepted, SYN_RECV to ESTABLISHED).
type NewConnections struct {
	Active  Rate `json:"active"`
	Passive Rate `json:"passive"`
}

// StateTime is the distribution of the time sockets spent in one state:
// percentiles are the upper bounds of log2 buckets; Max includes the
// sockets still in the state.
type StateTime struct {
	State string  `json:"state"`
	Count uint64  `json:"count"`
	P50S  float64 `json:"p50_s"`
	P90S  float64 `json:"p90_s"`
	P99S  float64 `json:"p99_s"`
	MaxS  float64 `json:"max_s"`
}

// LongLived is a socket still in CLOSE_WAIT or FIN_WAIT2.
type LongLived struct {
	State   string  `json:"state"`
	AgeS    float64 `json:"age_s"`
	PID     int     `json:"pid"`
	Command string  `json:"command"`
	Local   string  `json:"local"`
	Remote  string  `json:"remote"`
	Netns   uint32  `json:"netns,omitempty"`
}

// ProcessRate is the TIME_WAIT entries one process created in one
// network namespace (Netns, its inode).
type ProcessRate struct {
	PID     int    `json:"pid"`
	Command string `json:"command"`
	Netns   uint32 `json:"netns,omitempty"`
	Rate
}

// Projection is the TIME_WAIT entries created toward one destination and
// what they hold at this rate: a TIME_WAIT entry lives 60 s
// (TCP_TIMEWAIT_LEN), so rate × 60 entries hold as many local ports of
// the ephemeral range toward that destination. Orphaned FIN_WAIT2
// connections hold theirs for the namespace's tcp_fin_timeout (see
// orphanHold) and add orphan rate × that.
type Projection struct {
	Destination string `json:"destination"`
	Netns       uint32 `json:"netns,omitempty"`
	// Rate is the TIME_WAIT entries created.
	Rate
	// Orphaned are the orphans left unanswered toward the destination
	// (nil when none), each holding its port OrphanHoldS seconds.
	Orphaned    *Rate   `json:"orphaned_fin_wait2,omitempty"`
	OrphanHoldS float64 `json:"orphan_hold_s,omitempty"`
	// TimeWaitPorts and OrphanPorts are the two parts of PortsHeld.
	TimeWaitPorts int `json:"time_wait_ports"`
	OrphanPorts   int `json:"orphan_ports"`
	PortsHeld     int `json:"ports_held"`
	// PortRange is the ephemeral port range of the destination's
	// namespace (zero when it could not be read), Share PortsHeld over its
	// size.
	PortRange PortRange `json:"port_range"`
	Share     float64   `json:"share_of_range"`
	// creators are the processes creating the most TIME_WAIT toward the
	// destination, for the finding's subjects.
	creators []ProcessRate
}

// PeerResets are the RSTs exchanged with one peer host.
type PeerResets struct {
	Peer     string `json:"peer"`
	Netns    uint32 `json:"netns,omitempty"`
	Sent     Rate   `json:"sent"`
	Received Rate   `json:"received"`
}

// EndpointRate counts events for a listener (local address:port) or a
// destination.
type EndpointRate struct {
	Endpoint string `json:"endpoint"`
	Netns    uint32 `json:"netns,omitempty"`
	Rate
}

// StateChange is the change of one state's socket count between samples.
type StateChange struct {
	State string  `json:"state"`
	First int     `json:"first"`
	Last  int     `json:"last"`
	PerS  float64 `json:"per_s"`
}

// PortRange is net.ipv4.ip_local_port_range.
type PortRange struct {
	Low  int `json:"low"`
	High int `json:"high"`
}

// Size is the number of ports in the range, 0 for the zero range (not
// read: port 0 is never in one).
func (r PortRange) Size() int {
	if r.Low <= 0 {
		return 0
	}
	return max(r.High-r.Low+1, 0)
}
