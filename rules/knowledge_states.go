package rules

import "github.com/tcpaudit/tcpaudit/audit"

// StateInfo is what `explain` teaches about one TCP state.
type StateInfo struct {
	State audit.State
	// Meaning is what the state is; Side says which end of the connection
	// is in it.
	Meaning string
	Side    string
	// MovesOn says what takes the socket out of the state; Lasts how long
	// it can stay.
	MovesOn string
	Lasts   string
	// Piles says what many sockets in the state mean and what to do.
	Piles string
}

// CloseSequence is the connection-close exchange, for `explain` of any
// state.
const CloseSequence = `  active closer (calls close() first)          passive closer (receives the FIN)

  ESTABLISHED                                   ESTABLISHED
      |   close()                                    |
      |  ---------------- FIN -------------------->  |
  FIN_WAIT1                                     CLOSE_WAIT   (kernel ACKs; waits for
      |  <--------------- ACK ---------------------  |        the application's close())
  FIN_WAIT2                                          |
      |                                              |   close()
      |  <--------------- FIN ---------------------  |
  TIME_WAIT                                     LAST_ACK
      |  ---------------- ACK -------------------->  |
      |   (60 s, fixed: TCP_TIMEWAIT_LEN)         CLOSED
  CLOSED

  Both ends close at once: FIN_WAIT1 -> CLOSING (FIN received before the ACK
  of our own FIN) -> TIME_WAIT when that ACK arrives.`

// States returns the knowledge of every state a socket listing shows.
func States() []StateInfo {
	return []StateInfo{
		{audit.Established, "The connection is open and data flows both ways.", "Both ends.",
			"Either end calling close() or shutdown() (it sends a FIN), or a reset.",
			"Without limit while both ends are alive. An idle connection is never ended by the kernel unless the application set SO_KEEPALIVE (then tcp_keepalive_time only starts probing); unacknowledged data is retransmitted tcp_retries2 times (15: at least about 924 s) before the connection is killed.",
			"Many ESTABLISHED sockets are just many connections. What bounds them is memory (tcp_mem, in pages), file descriptors and, for outgoing connections to one destination, the local ports left for each (source IP, destination IP, destination port)."},
		{audit.SynSent, "connect() sent a SYN and waits for the SYN-ACK.", "The client (active opener).",
			"A SYN-ACK (to ESTABLISHED), a reset, or the retransmissions running out.",
			"Where net.ipv4.tcp_syn_linear_timeouts does not exist (kernels before 6.5): tcp_syn_retries (6) retransmissions with a timeout doubling from 1 s, the last at about 63 s, giving up at about 127 s. Where it exists (6.5 and later, default 4), it adds that many retransmissions and keeps the first timeouts at 1 s: with the defaults 10 retransmissions, the last at about 67 s, giving up at about 131 s. A socket's TCP_SYNCNT replaces tcp_syn_retries.",
			"The destination does not answer: it is down, a firewall drops the SYNs, or its listen queue is full and it drops them. Check the destination and the path, not this host's sysctls."},
		{audit.SynRecv, "A SYN arrived on a listener and the SYN-ACK was sent; the handshake waits for the client's final ACK. /proc/net/tcp prints these request sockets as 03; 0C (NEW_SYN_RECV) is an internal state that is never printed.", "The server (passive opener).",
			"The client's ACK (the connection moves to the listener's accept queue), a reset, or the SYN-ACK retransmissions running out.",
			"tcp_synack_retries (5) retransmissions: the last at about 31 s, given up at about 63 s.",
			"A SYN flood, or clients on a lossy path. The SYN queue counts as full against min(listen backlog, somaxconn), not tcp_max_syn_backlog. Connections answered with SYN cookies never appear here. Watch TcpExt ListenDrops, TCPReqQFullDrop and SyncookiesSent; keep tcp_syncookies = 1."},
		{audit.FinWait1, "This end sent its FIN and waits for it to be acknowledged.", "The active closer.",
			"The ACK of the FIN (to FIN_WAIT2), the peer's FIN first (to CLOSING), or a reset.",
			"The FIN is retransmitted like data; after the application closed the socket, tcp_orphan_retries bounds it (0 means 8 while the peer is alive).",
			"Peers that stopped acknowledging (gone, or a zero receive window with data still queued: see tx_queue). Orphaned sockets count against tcp_max_orphans."},
		{audit.FinWait2, "This end's FIN was acknowledged; it waits for the peer's FIN.", "The active closer.",
			"The peer's FIN (to TIME_WAIT), or the timeout below.",
			"If the application has closed the socket (orphaned), tcp_fin_timeout (60 s) or the socket's TCP_LINGER2, at least 3.5 RTO. Such an orphan is kept as a small timewait entry: it prints st=05 with tr=3, counts in sockstat tw and against tcp_max_tw_buckets, and tcp_tw_reuse never takes it over. If the application still holds the socket (after shutdown(SHUT_WR)) no timer applies: receiving only is a valid state.",
			"The peer does not close its side: look at the peer, which holds those connections in CLOSE_WAIT. tcp_fin_timeout only bounds the orphaned ones here."},
		{audit.TimeWait, "The connection is closed; this end keeps the 4-tuple so that old duplicate segments cannot be taken for a new connection, and so it can repeat the last ACK if the peer's FIN comes again.", "The end that closed first (the active closer).",
			"Its timer, or one of three events that end it early: an acceptable new SYN from the peer for the same 4-tuple (TCP_TW_SYN: a higher sequence number or a newer timestamp) opens a new connection; an in-window RST destroys it while tcp_rfc1337 = 0 (the default); a connect() that tcp_tw_reuse allows takes the 4-tuple over. A retransmitted FIN from the peer re-arms the timer.",
			"60 s, fixed (TCP_TIMEWAIT_LEN); no sysctl changes it. tcp_fin_timeout does not shorten TIME_WAIT: it bounds orphaned FIN_WAIT2 sockets only.",
			"Normal on the side that closes first; a TIME_WAIT entry is a small structure, not a full socket. It matters in two cases: tcp_max_tw_buckets is reached (TcpExt TCPTimeWaitOverflow counts sockets closed without TIME_WAIT protection; never lower the limit), or a client opening many connections to one destination runs out of local ports for that 4-tuple. For the latter: reuse connections (keep-alive, pooling), widen ip_local_port_range, or set tcp_tw_reuse = 1, which lets connect() take over an entry when timestamps are on, once tcp_tw_reuse_delay (1000 ms by default, counted from the entry into TIME_WAIT) has passed where that key exists, or on older kernels once the clock second has moved past the old connection's last timestamp (sometimes after only milliseconds); it does nothing for incoming connections. On a server, let clients close first."},
		{audit.Close, "The socket is closed.", "Either end.",
			"Nothing: the socket is freed when the application releases it.",
			"Until the application closes the file descriptor.",
			"Closed sockets are normally not listed; a few are harmless."},
		{audit.CloseWait, "The peer closed its side (its FIN arrived and the kernel acknowledged it); the kernel waits for the application to call close().", "The passive closer: the end that received the FIN.",
			"The application: close() sends this end's FIN (to LAST_ACK), and process exit closes every socket. Per-socket mechanisms also end it: keepalive probes (SO_KEEPALIVE) that go unanswered or draw a reset, and writes that time out (tcp_retries2, TCP_USER_TIMEOUT) or draw a reset.",
			"Without limit while the socket is idle: no sysctl applies to an idle CLOSE_WAIT socket, and without SO_KEEPALIVE no timer ends it.",
			"An application bug: the program does not close sockets after reading end-of-file (read() returning 0), often in an error path or a connection pool that does not notice closed connections. No sysctl cures it. tcpaudit names the process that holds them; fix its close handling. Restarting the process frees them until the leak refills."},
		{audit.LastAck, "The application closed after the peer had closed; this end's FIN waits for its ACK.", "The passive closer.",
			"The ACK of the FIN (the socket is gone), or the retransmissions running out.",
			"The FIN is retransmitted; an orphaned socket gives up after tcp_orphan_retries (0 means 8 while the peer is alive).",
			"Peers that vanished before acknowledging (lost packets, a firewall dropping the ACK). Usually brief."},
		{audit.Listen, "A server socket waiting for connections. In /proc/net/tcp and ss, its rx_queue (Recv-Q) is the current accept-queue length.", "The server.",
			"Only close().",
			"As long as the server runs.",
			"One per listening address and port. The accept queue holds min(listen() backlog, somaxconn) connections, with somaxconn as it was when listen() was called; when it is full new ones are dropped and TcpExt ListenOverflows grows. Fix a slow accept() loop first, then raise the backlog and somaxconn together and restart the service (a listener keeps its limit until it calls listen() again)."},
		{audit.Closing, "Both ends sent a FIN at the same time; this end waits for the ACK of its own FIN.", "Both ends (simultaneous close).",
			"The ACK of this end's FIN (to TIME_WAIT).",
			"Like FIN_WAIT1: the FIN is retransmitted until acknowledged or the retries run out.",
			"Rare; more than a few means lost ACKs on the path."},
	}
}

// LookupState finds a state by name in any spelling: CLOSE_WAIT,
// close-wait, closewait.
func LookupState(name string) (StateInfo, bool) {
	s, ok := audit.ParseState(name)
	if !ok {
		return StateInfo{}, false
	}
	for _, info := range States() {
		if info.State == s {
			return info, true
		}
	}
	return StateInfo{}, false
}
