package rules

import (
	"fmt"
	"net/netip"

	"github.com/tcpaudit/tcpaudit/audit"
)

// Evidence holds the named numbers a finding rests on, for a CI job or a
// dashboard: "count", "threshold", "limit", "share", "rate_per_s",
// "since_boot", "value", "recommended", ... Each rule documents its own
// names in its Observed text; the names are stable within schema version 1.
type Evidence map[string]float64

// Subject is one thing a finding is about: a process, a socket, a
// listener or a destination. Only the fields that apply are set.
type Subject struct {
	PID     int    `json:"pid,omitempty"`
	Command string `json:"command,omitempty"`
	// Holders are the other processes sharing the same sockets (after
	// fork); their sockets are counted once, under PID.
	Holders []int  `json:"holders,omitempty"`
	Local   string `json:"local,omitempty"`
	Remote  string `json:"remote,omitempty"`
	State   string `json:"state,omitempty"`
	Count   int    `json:"count,omitempty"`
	// AgeS is how long the socket has been idle, in seconds.
	AgeS  float64 `json:"age_s,omitempty"`
	RecvQ int     `json:"recv_q,omitempty"`
	// Drops are the packets the socket dropped (SK_MEMINFO_DROPS).
	Drops int64 `json:"drops,omitempty"`
}

// ownerSubjects returns one subject per process holding sockets.
func ownerSubjects(owners []audit.Owner, state string) []Subject {
	out := make([]Subject, 0, len(owners))
	for _, o := range owners {
		out = append(out, Subject{PID: o.PID, Command: o.Command, Holders: o.Holders, State: state, Count: o.Sockets})
	}
	return out
}

// addrPort renders an address and port, IPv4-mapped addresses unmapped.
func addrPort(a netip.Addr, port uint16) string {
	return netip.AddrPortFrom(a.Unmap(), port).String()
}

// share returns value/limit, 0 for a non-positive limit.
func share(value, limit int64) float64 {
	if limit <= 0 {
		return 0
	}
	return float64(value) / float64(limit)
}

// ownerLine is "pid 10 (app) holds 900", with "(shared with 1 other
// process)" when forked processes hold the same sockets.
func ownerLine(o audit.Owner) string {
	s := fmt.Sprintf("pid %d (%s) holds %d", o.PID, o.Command, o.Sockets)
	if len(o.Holders) > 0 {
		s += fmt.Sprintf(" (shared with %s)", plural(len(o.Holders), "other process"))
	}
	return s
}
