package rules

import "github.com/tcpaudit/tcpaudit/audit"

// ConntrackState says, for `explain` of a socket state, what the conntrack
// TCP state of the same name is: the firewall's view of the flow, with a
// timeout of its own (net/netfilter/nf_conntrack_proto_tcp.c,
// docs/kernel-facts.md §22). "" when conntrack has no state of that name.
func ConntrackState(s audit.State) string {
	return map[audit.State]string{
		audit.Established: "ESTABLISHED: the handshake was seen both ways. The entry is dropped " +
			"nf_conntrack_tcp_timeout_established (432000 s, 5 days; kube-proxy sets 86400) after " +
			"the flow's last packet, whether or not either socket still exists.",
		audit.SynSent: "SYN_SENT: a SYN was seen, no answer yet; 120 s (nf_conntrack_tcp_timeout_syn_sent).",
		audit.SynRecv: "SYN_RECV: the SYN-ACK was seen, not yet the final ACK; 60 s (nf_conntrack_tcp_timeout_syn_recv).",
		audit.FinWait1: "FIN_WAIT: the first FIN was seen (conntrack has one state for both FIN_WAIT1 and " +
			"FIN_WAIT2); 120 s (nf_conntrack_tcp_timeout_fin_wait).",
		audit.FinWait2: "FIN_WAIT: as for FIN_WAIT1; 120 s (nf_conntrack_tcp_timeout_fin_wait).",
		audit.TimeWait: "TIME_WAIT: both FINs and the last ACK were seen. The entry stays 120 s " +
			"(nf_conntrack_tcp_timeout_time_wait), the socket's TIME_WAIT a fixed 60 s: changing " +
			"the conntrack timeout changes only how long the firewall remembers the flow, never what ss shows.",
		audit.CloseWait: "CLOSE_WAIT: a FIN was seen in one direction only; 60 s " +
			"(nf_conntrack_tcp_timeout_close_wait; kube-proxy sets 3600). The socket's CLOSE_WAIT lasts " +
			"until the application closes, however short the conntrack timeout.",
		audit.LastAck: "LAST_ACK: both FINs were seen, the last ACK not yet; 30 s (nf_conntrack_tcp_timeout_last_ack).",
		audit.Close:   "CLOSE: a RST was seen; 10 s (nf_conntrack_tcp_timeout_close).",
	}[s]
}
