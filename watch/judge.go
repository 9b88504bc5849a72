package watch

import (
	"fmt"
	"strings"
	"time"

	"github.com/tcpaudit/tcpaudit/rules"
)

// Limits are the thresholds watch judges its rates by.
type Limits struct {
	// PortShareWarning and PortShareCritical are the shares of the
	// ephemeral port range that TIME_WAIT toward one destination may hold
	// at the measured rate.
	PortShareWarning, PortShareCritical float64
	// BucketShare is the share of tcp_max_tw_buckets that TIME_WAIT may
	// hold at the measured rate.
	BucketShare float64
	// CloseWaitAge is how long a socket may stay in CLOSE_WAIT.
	CloseWaitAge time.Duration
	// RetransmitsPerS and ResetsPerS are the rates per destination or peer
	// worth a note.
	RetransmitsPerS, ResetsPerS float64
}

// DefaultLimits are the limits of `tcpaudit watch`.
func DefaultLimits() Limits {
	return Limits{PortShareWarning: 0.5, PortShareCritical: 0.8, BucketShare: 0.8, CloseWaitAge: time.Minute,
		RetransmitsPerS: 10, ResetsPerS: 1}
}

// IDs of the findings watch makes: the rules it judges its rates by.
const (
	TimeWaitChurn     = "watch-time-wait-churn"
	TimeWaitBuckets   = "watch-time-wait-buckets"
	CloseWaitLeak     = "watch-close-wait-leak"
	SynAckRetransmits = "watch-synack-retransmits"
	Resets            = "watch-resets"
	Retransmits       = "watch-retransmits"
)

// Judge returns the findings on a report's rates: evidence about the time
// watched, never about totals since boot.
func Judge(r Report, l Limits) []rules.Finding {
	out := []rules.Finding{}
	out = append(out, judgeTimeWait(r, l)...)
	out = append(out, judgeBuckets(r, l)...)
	out = append(out, judgeCloseWait(r, l)...)
	out = append(out, judgeSynAck(r)...)
	out = append(out, judgeRates(r, r.Retransmits, Retransmits, "retransmits toward", l.RetransmitsPerS)...)
	for _, p := range r.Resets {
		perS := p.Sent.PerS + p.Received.PerS
		if l.ResetsPerS > 0 && perS >= l.ResetsPerS {
			out = append(out, rules.Finding{Rule: Resets, Severity: rules.Info, Namespace: r.namespaceID(p.Netns),
				Title:    "connections reset by or toward " + p.Peer,
				Observed: fmt.Sprintf("%d RSTs sent and %d received with %s over %.0f s (%.1f/s)", p.Sent.Count, p.Received.Count, p.Peer, r.ElapsedS, perS),
				Expected: fmt.Sprintf("below %.1f RSTs per second with one peer", l.ResetsPerS),
				Explanation: "A reset ends a connection without the FIN exchange: a closed port, an application " +
					"that closes with SO_LINGER 0, or a middlebox. The side that sends them is the place to look.",
				Evidence: rules.Evidence{"sent": float64(p.Sent.Count), "received": float64(p.Received.Count), "rate_per_s": perS, "elapsed_s": r.ElapsedS},
				Subjects: []rules.Subject{{Remote: p.Peer}},
			})
		}
	}
	return out
}

func judgeTimeWait(r Report, l Limits) []rules.Finding {
	var out []rules.Finding
	for _, p := range r.TimeWaitByDestination {
		sev := rules.Severity(0)
		switch {
		case l.PortShareCritical > 0 && p.Share >= l.PortShareCritical:
			sev = rules.Critical
		case l.PortShareWarning > 0 && p.Share >= l.PortShareWarning:
			sev = rules.Warning
		}
		if sev == 0 {
			continue
		}
		out = append(out, rules.Finding{Rule: TimeWaitChurn, Severity: sev,
			Title:    projectionTitle(p),
			Observed: projectionText(p),
			Expected: fmt.Sprintf("below %.0f%% of the range toward one destination", l.PortShareWarning*100),
			Explanation: "Each connection closed first by this host leaves a TIME_WAIT entry for 60 s that keeps its local " +
				"port toward that destination; one whose peer never answers the FIN (an orphaned FIN_WAIT2) keeps it " +
				"for tcp_fin_timeout. When the range is used up, connect() fails with EADDRNOTAVAIL. " +
				"Reuse connections (keep-alive, pooling), let the server close first, or widen ip_local_port_range.",
			Fix:       rules.Fix{Advice: "reuse connections toward " + p.Destination + " (keep-alive, a pool) or let the peer close first"},
			Evidence:  projectionEvidence(p, r.ElapsedS),
			Subjects:  timeWaitSubjects(p),
			Namespace: r.namespaceID(p.Netns),
		})
	}
	return out
}

func projectionTitle(p Projection) string {
	if p.Orphaned != nil {
		return "TIME_WAIT and orphaned FIN_WAIT2 toward " + p.Destination + " take most of the ephemeral port range"
	}
	return "TIME_WAIT toward " + p.Destination + " takes most of the ephemeral port range"
}

// projectionEvidence names both parts of the ports held: TIME_WAIT and,
// when there are any, the orphans.
func projectionEvidence(p Projection, elapsed float64) rules.Evidence {
	e := rules.Evidence{"rate_per_s": p.PerS, "ports_held": float64(p.PortsHeld), "range": float64(p.PortRange.Size()), "share": p.Share, "elapsed_s": elapsed}
	if p.Orphaned != nil {
		e["time_wait_ports"] = float64(p.TimeWaitPorts)
		e["orphan_rate_per_s"] = p.Orphaned.PerS
		e["orphan_hold_s"] = p.OrphanHoldS
		e["orphan_ports"] = float64(p.OrphanPorts)
	}
	return e
}

// projectionText is "at this rate (12.0/s) TIME_WAIT toward X holds 720
// ports: 2.5% of the usable range (28232 ports)", and with orphans
// "at this rate TIME_WAIT 12.0/s × 60 s + orphaned FIN_WAIT2 5.0/s × 60 s
// toward X hold 1020 ports: …".
func projectionText(p Projection) string {
	pr := p.PortRange
	share := fmt.Sprintf("%.1f%% of the usable range (%d ports, %d-%d)", p.Share*100, pr.Size(), pr.Low, pr.High)
	if p.Orphaned == nil {
		return fmt.Sprintf("at this rate (%.1f/s) TIME_WAIT toward %s holds %d ports: %s", p.PerS, p.Destination, p.PortsHeld, share)
	}
	return fmt.Sprintf("at this rate TIME_WAIT %.1f/s × %.0f s + orphaned FIN_WAIT2 %.1f/s × %.0f s toward %s hold %d ports: %s",
		p.PerS, timeWaitLen.Seconds(), p.Orphaned.PerS, p.OrphanHoldS, p.Destination, p.PortsHeld, share)
}

// namespaceID is the ID findings about the namespace with inode ns carry:
// its listed ID ("" for the host's and the caller's own), or, for one not
// listed (only resets or retransmits seen in it), net:[inode].
func (r Report) namespaceID(ns uint32) string {
	for _, n := range r.Namespaces {
		if n.Inode == ns {
			return n.ID
		}
	}
	if ns != 0 { // a namespace of events only (resets, retransmits): not listed
		return fmt.Sprintf("net:[%d]", ns)
	}
	return ""
}

// timeWaitSubjects names the destination and the processes creating the
// most TIME_WAIT entries toward it.
func timeWaitSubjects(p Projection) []rules.Subject {
	out := []rules.Subject{{Remote: p.Destination, State: "TIME_WAIT"}}
	for _, c := range p.creators[:min(len(p.creators), 3)] {
		out = append(out, rules.Subject{PID: c.PID, Command: c.Command, Count: int(c.Count)})
	}
	return out
}

func judgeCloseWait(r Report, l Limits) []rules.Finding {
	var subjects []rules.Subject
	for _, s := range r.Longest {
		if s.State == "CLOSE_WAIT" && l.CloseWaitAge > 0 && s.AgeS >= l.CloseWaitAge.Seconds() {
			subjects = append(subjects, rules.Subject{PID: s.PID, Command: s.Command, Local: s.Local, Remote: s.Remote, State: s.State, AgeS: s.AgeS})
		}
	}
	if len(subjects) == 0 {
		return nil
	}
	var who []string
	for _, s := range subjects {
		who = append(who, fmt.Sprintf("pid %d (%s) %s -> %s for %.0f s", s.PID, s.Command, s.Local, s.Remote, s.AgeS))
	}
	return []rules.Finding{{Rule: CloseWaitLeak, Severity: rules.Warning,
		Title:    "sockets stay in CLOSE_WAIT: the application does not close them",
		Observed: fmt.Sprintf("%d sockets in CLOSE_WAIT longer than %s: %s", len(subjects), l.CloseWaitAge, strings.Join(who, "; ")),
		Expected: "close() soon after the peer's FIN (read returned 0)",
		Explanation: "CLOSE_WAIT means the peer closed and the kernel waits for the application to close its end; " +
			"no sysctl ends it. The process named is the one that last moved the socket in a system call " +
			"(or, for an accepted socket, the one that listened).",
		Fix:      rules.Fix{Advice: "close the socket when read returns 0 (end of stream) in the process named"},
		Evidence: rules.Evidence{"count": float64(len(subjects)), "threshold_s": l.CloseWaitAge.Seconds(), "oldest_s": subjects[0].AgeS},
		Subjects: subjects,
	}}
}

func judgeSynAck(r Report) []rules.Finding {
	var out []rules.Finding
	for _, e := range r.SynAckRetransmits {
		out = append(out, rules.Finding{Rule: SynAckRetransmits, Severity: rules.Warning, Namespace: r.namespaceID(e.Netns),
			Title:    "listener " + e.Endpoint + " retransmits SYN-ACKs",
			Observed: fmt.Sprintf("%d SYN-ACK retransmits by %s over %.0f s (%.1f/s)", e.Count, e.Endpoint, r.ElapsedS, e.PerS),
			Expected: "no SYN-ACK retransmits",
			Explanation: "A listener retransmits its SYN-ACK when the client's ACK does not arrive or is dropped because the " +
				"accept queue is full: the application does not accept() fast enough, or its backlog is too small.",
			Fix:      rules.Fix{Advice: "accept faster or raise the listen() backlog (and net.core.somaxconn) of the listener on " + e.Endpoint},
			Evidence: rules.Evidence{"count": float64(e.Count), "rate_per_s": e.PerS, "elapsed_s": r.ElapsedS},
			Subjects: []rules.Subject{{Local: e.Endpoint, State: "LISTEN"}},
		})
	}
	return out
}

func judgeRates(r Report, s []EndpointRate, id, what string, limit float64) []rules.Finding {
	var out []rules.Finding
	for _, e := range s {
		if limit <= 0 || e.PerS < limit {
			continue
		}
		out = append(out, rules.Finding{Rule: id, Severity: rules.Info, Namespace: r.namespaceID(e.Netns),
			Title:       fmt.Sprintf("%s %s", what, e.Endpoint),
			Observed:    fmt.Sprintf("%d %s %s (%.1f/s)", e.Count, what, e.Endpoint, e.PerS),
			Expected:    fmt.Sprintf("below %.1f per second", limit),
			Explanation: "Retransmitted segments mean loss or congestion on the path to this destination, or a peer that stopped answering.",
			Evidence:    rules.Evidence{"count": float64(e.Count), "rate_per_s": e.PerS},
			Subjects:    []rules.Subject{{Remote: e.Endpoint}},
		})
	}
	return out
}

// judgeBuckets compares the TIME_WAIT entries each namespace holds at the
// rate measured there (rate × 60 s) with its own tcp_max_tw_buckets:
// beyond it the kernel closes connections without TIME_WAIT
// (TCPTimeWaitOverflow).
func judgeBuckets(r Report, l Limits) []rules.Finding {
	var out []rules.Finding
	for _, n := range r.Namespaces {
		if f, ok := judgeBucketsIn(n, r.ElapsedS, l); ok {
			out = append(out, f)
		}
	}
	return out
}

func judgeBucketsIn(n NamespaceRates, elapsed float64, l Limits) (rules.Finding, bool) {
	if n.MaxTWBuckets <= 0 || l.BucketShare <= 0 {
		return rules.Finding{}, false
	}
	perS := n.TimeWaitCreated.PerS
	held := perS * timeWaitLen.Seconds()
	share := held / float64(n.MaxTWBuckets)
	if share < l.BucketShare {
		return rules.Finding{}, false
	}
	sev := rules.Warning
	if share >= 1 {
		sev = rules.Critical
	}
	return rules.Finding{Rule: TimeWaitBuckets, Severity: sev,
		Title: "TIME_WAIT at this rate fills tcp_max_tw_buckets",
		Observed: fmt.Sprintf("at this rate (%.1f/s) TIME_WAIT holds %.0f entries: %.0f%% of net.ipv4.tcp_max_tw_buckets (%d)",
			perS, held, share*100, n.MaxTWBuckets),
		Expected: fmt.Sprintf("below %.0f%% of tcp_max_tw_buckets", l.BucketShare*100),
		Explanation: "Each TIME_WAIT entry lives 60 s. Beyond tcp_max_tw_buckets the kernel closes connections " +
			"without TIME_WAIT (TCPTimeWaitOverflow), losing the protection against late segments of an old connection.",
		Fix:       rules.Fix{Advice: "reuse connections, or raise net.ipv4.tcp_max_tw_buckets above rate × 60 s with room"},
		Evidence:  rules.Evidence{"rate_per_s": perS, "entries": held, "limit": float64(n.MaxTWBuckets), "share": share, "elapsed_s": elapsed},
		Namespace: n.ID,
	}, true
}
