package audit

import "strings"

// State is a TCP state code as the kernel prints it in the st column of
// /proc/net/tcp (include/net/tcp_states.h).
type State uint8

// The states that /proc/net/tcp and inet_diag report. NewSynRecv is internal
// to the kernel and never printed (request socks print as SynRecv); it is kept
// so that a parser can map every defined value.
const (
	Established   State = 0x01
	SynSent       State = 0x02
	SynRecv       State = 0x03
	FinWait1      State = 0x04
	FinWait2      State = 0x05
	TimeWait      State = 0x06
	Close         State = 0x07
	CloseWait     State = 0x08
	LastAck       State = 0x09
	Listen        State = 0x0A
	Closing       State = 0x0B
	NewSynRecv    State = 0x0C
	BoundInactive State = 0x0D

	maxState = BoundInactive
)

var stateNames = [...]string{
	Established:   "ESTABLISHED",
	SynSent:       "SYN_SENT",
	SynRecv:       "SYN_RECV",
	FinWait1:      "FIN_WAIT1",
	FinWait2:      "FIN_WAIT2",
	TimeWait:      "TIME_WAIT",
	Close:         "CLOSE",
	CloseWait:     "CLOSE_WAIT",
	LastAck:       "LAST_ACK",
	Listen:        "LISTEN",
	Closing:       "CLOSING",
	NewSynRecv:    "NEW_SYN_RECV",
	BoundInactive: "BOUND_INACTIVE",
}

// String returns the kernel's name of the state, or UNKNOWN_0xNN.
func (s State) String() string {
	if s >= 1 && s <= maxState {
		return stateNames[s]
	}
	const hex = "0123456789ABCDEF"
	return "UNKNOWN_0x" + string([]byte{hex[s>>4], hex[s&0xf]})
}

// States lists the states in kernel order, for reports that print every
// state including those with a count of zero.
func States() []State {
	return []State{Established, SynSent, SynRecv, FinWait1, FinWait2, TimeWait,
		Close, CloseWait, LastAck, Listen, Closing}
}

// ParseState accepts a kernel state name in any case, with '-' or '_'
// ("close-wait", "CLOSE_WAIT", "closewait"), or the hex code of the st
// column of /proc/net/tcp ("08", "0x08", "0A").
func ParseState(name string) (State, bool) {
	if code, ok := hexState(name); ok {
		return code, true
	}
	norm := strings.ToUpper(strings.NewReplacer("-", "", "_", "", " ", "").Replace(name))
	for s := State(1); s <= maxState; s++ {
		if strings.ReplaceAll(stateNames[s], "_", "") == norm {
			return s, true
		}
	}
	return 0, false
}

// hexState parses "06", "0x0A" or "0a" as a known state code.
func hexState(name string) (State, bool) {
	h := strings.TrimPrefix(strings.TrimPrefix(name, "0x"), "0X")
	if len(h) != 2 {
		return 0, false
	}
	v, ok := hexUint([]byte(h), 2)
	if !ok || v < 1 || v > uint64(maxState) {
		return 0, false
	}
	return State(v), true
}
