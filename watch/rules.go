package watch

import (
	"fmt"

	"github.com/tcpaudit/tcpaudit/rules"
)

// Rules describes the rules watch judges its rates by, one per finding ID
// Judge can return, for explain and reports that describe rules: what each
// measures and the default limit it is held to. Their Check is nil: watch
// judges rates between two readings, not the facts of one audit.
func Rules() []rules.Rule {
	l := DefaultLimits()
	twRefs := []string{"docs/kernel-facts.md §4 (TIME_WAIT lasts 60 s), §7 (how local ports run out)", "docs/kernel-facts.md §26 (the tracepoints watch reads)"}
	return []rules.Rule{{
		ID: TimeWaitChurn, Title: "TIME_WAIT toward one destination, at the rate measured, holds most of the ephemeral ports",
		Category: rules.Lifecycle, Severity: rules.Warning,
		Explanation: fmt.Sprintf("Counts the connections entering TIME_WAIT per destination while watched and projects "+
			"the ports they hold at that rate (rate × 60 s, the length of TIME_WAIT), plus the orphaned FIN_WAIT2 "+
			"connections toward it (the peer never sent its FIN: orphan rate × the namespace's tcp_fin_timeout), "+
			"against the usable ephemeral range. "+
			"A warning at %.0f%% of the range toward one destination, critical at %.0f%%: beyond it connect() to that "+
			"destination fails with EADDRNOTAVAIL.", l.PortShareWarning*100, l.PortShareCritical*100),
		References: append(twRefs, "docs/kernel-facts.md §39 (how long an orphaned FIN_WAIT2 keeps its port)"),
	}, {
		ID: TimeWaitBuckets, Title: "TIME_WAIT, at the rate measured, fills tcp_max_tw_buckets",
		Category: rules.Capacity, Severity: rules.Warning, OptionalKeys: []string{"net.ipv4.tcp_max_tw_buckets"},
		Explanation: fmt.Sprintf("Projects the TIME_WAIT entries of all destinations at the rate measured (rate × 60 s) "+
			"against net.ipv4.tcp_max_tw_buckets: a warning at %.0f%% of it, critical at 100%%, where the kernel "+
			"closes connections without TIME_WAIT (TCPTimeWaitOverflow).", l.BucketShare*100),
		References: append([]string{"docs/kernel-facts.md §8 (when tcp_max_tw_buckets is reached)"}, twRefs...),
	}, {
		ID: CloseWaitLeak, Title: "Sockets stay in CLOSE_WAIT while watched",
		Category: rules.Lifecycle, Severity: rules.Warning,
		Explanation: fmt.Sprintf("Names the sockets in CLOSE_WAIT longer than --close-wait-age (%.0f s by default) "+
			"and the process that last moved each: the peer has closed and the application has not. No sysctl ends "+
			"CLOSE_WAIT; the application must close the socket.", l.CloseWaitAge.Seconds()),
		References: []string{"docs/kernel-facts.md §17 (what ends CLOSE_WAIT)", "docs/kernel-facts.md §26 (the tracepoints watch reads)"},
	}, {
		ID: SynAckRetransmits, Title: "A listener retransmits SYN-ACKs",
		Category: rules.Capacity, Severity: rules.Warning, OptionalKeys: []string{"net.core.somaxconn"},
		Explanation: "Counts the SYN-ACKs each listener retransmitted while watched (tracepoint tcp_retransmit_synack): " +
			"any is a warning. The client's ACK was lost, or dropped because the accept queue was full.",
		References: []string{"docs/kernel-facts.md §9 (listen queues, backlog and SYN handling)", "docs/kernel-facts.md §26 (the tracepoints watch reads)"},
	}, {
		ID: Resets, Title: "Connections with one peer are reset",
		Category: rules.Lifecycle, Severity: rules.Info,
		Explanation: fmt.Sprintf("Counts the RSTs sent to and received from each peer while watched: a note from %.1f "+
			"per second with one peer. A reset ends a connection without the FIN exchange.", l.ResetsPerS),
		References: []string{"docs/kernel-facts.md §26 (the tracepoints watch reads)"},
	}, {
		ID: Retransmits, Title: "Segments toward one destination are retransmitted",
		Category: rules.Performance, Severity: rules.Info,
		Explanation: fmt.Sprintf("Counts the segments retransmitted toward each destination while watched: a note from "+
			"%.1f per second toward one destination, a sign of loss or congestion on the path.", l.RetransmitsPerS),
		References: []string{"docs/kernel-facts.md §26 (the tracepoints watch reads)"},
	}}
}
