package rules

import (
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/tcpaudit/tcpaudit/audit"
)

const listenOverflowWhy = `A listener's accept queue holds connections that completed the ` +
	`handshake but that the application has not accept()ed yet. Its limit is the backlog ` +
	`passed to listen(), clamped to net.core.somaxconn once, when listen() is called: a ` +
	`listener keeps that limit until it calls listen() again, so raising somaxconn changes ` +
	`nothing for a service that is already listening until it restarts. The same limit ` +
	`decides when the SYN queue is full (tcp_max_syn_backlog does not size it). When the ` +
	`accept queue is full the kernel drops the SYN, or the final ACK of the handshake, and ` +
	`counts TcpExt ListenOverflows; ListenDrops counts every drop on the listen path. A ` +
	`dropped SYN shows as a slow or failed connect() with retransmitted SYNs; after a dropped ` +
	`final ACK the client is already ESTABLISHED and sees a stall while the server repeats ` +
	`its SYN-ACK. The counters are totals since boot: compare two readings to see if it is ` +
	`still happening.`

func listenQueueOverflow() Rule {
	return Rule{
		ID:       "listen-queue-overflow",
		Title:    "Listen queue overflows",
		Category: Capacity,
		Severity: Warning,
		Keys:     []string{keySomaxconn},
		Needs:    []audit.Source{audit.SourceNetstat, audit.SourceSockets},
		Params: []Param{
			{Name: "min_drops", Kind: IntParam, Doc: "ListenOverflows or ListenDrops since boot that raise a finding"},
		},
		Explanation: listenOverflowWhy,
		References: []string{
			"include/net/sock.h sk_acceptq_is_full",
			"net/ipv4/tcp_input.c tcp_conn_request",
			"net/socket.c __sys_listen, __sys_listen_socket (somaxconn clamp, once per listen() call)",
			"net/ipv4/tcp_minisocks.c tcp_check_req (final ACK on a full queue)",
			"docs/kernel-facts.md §9",
		},
		Check: checkListenOverflow,
	}
}

func checkListenOverflow(f *audit.Facts, p Params) []Finding {
	somaxconn, _ := sysctlInt(f, keySomaxconn)
	overflows, _ := f.Counters.Get("TcpExt", "ListenOverflows")
	drops, _ := f.Counters.Get("TcpExt", "ListenDrops")
	var full []string
	for _, l := range f.Census.Listeners {
		limit, known := int64(l.Backlog), ", its backlog"
		if limit == 0 {
			// /proc/net/tcp does not print the backlog: somaxconn caps
			// it, as it was when the listener called listen().
			limit, known = somaxconn, " if it listened under today's somaxconn"
		}
		if limit > 0 && int64(l.AcceptQueue) >= limit {
			full = append(full, fmt.Sprintf("%s (accept queue %d, limit %d%s)", netip.AddrPortFrom(l.Addr.Unmap(), l.Port), l.AcceptQueue, limit, known))
		}
	}
	if len(full) == 0 && max(overflows, drops) < p.Int("min_drops") {
		return nil
	}
	sev := Warning
	var obs []string
	if len(full) > 0 {
		sev = Critical
		obs = append(obs, "full accept queue on "+strings.Join(full, ", "))
	}
	obs = append(obs, fmt.Sprintf("TcpExt ListenOverflows %d, ListenDrops %d since boot", overflows, drops))
	if r, ok := f.Sampling.Rate("TcpExt", "ListenOverflows"); ok {
		obs = append(obs, fmt.Sprintf("ListenOverflows +%d over %s (%.1f/s)", r.Delta, f.Sampling.Elapsed.Round(time.Millisecond), r.PerSecond))
	}
	return []Finding{{
		Severity:    sev,
		Title:       "Connections are dropped at the listen queue",
		Observed:    strings.Join(obs, "; "),
		Expected:    "no full accept queue and no ListenOverflows or ListenDrops",
		Explanation: listenOverflowWhy,
		Fix: Fix{Advice: fmt.Sprintf("Make the application accept() faster (more acceptor threads, "+
			"less work before accept) and pass a larger backlog to listen(); the kernel clamps it "+
			"to net.core.somaxconn (%d here) when listen() is called, so raise that too if the "+
			"backlog is larger, then restart the service: a listener keeps the limit it got.", somaxconn)},
	}}
}
