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
	`passed to listen(), clamped to net.core.somaxconn; the same limit decides when the SYN ` +
	`queue is full (tcp_max_syn_backlog does not size it). When the accept queue is full ` +
	`the kernel drops the SYN, or the final ACK of the handshake, and counts TcpExt ` +
	`ListenOverflows; ListenDrops counts ` +
	`every drop on the listen path. A dropped SYN makes clients retransmit it and may end in a connect timeout; after a dropped final ACK the client is already ESTABLISHED and stalls while the server repeats its SYN-ACK. ` +
	`The counters are totals since boot: compare two readings to see if it is still happening.`

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
			"net/socket.c __sys_listen (somaxconn clamp)",
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
		limit := int64(l.Backlog)
		if limit == 0 {
			limit = somaxconn // /proc/net/tcp does not print the backlog; somaxconn caps it
		}
		if limit > 0 && int64(l.AcceptQueue) >= limit {
			full = append(full, fmt.Sprintf("%s (accept queue %d, limit %d)", netip.AddrPortFrom(l.Addr.Unmap(), l.Port), l.AcceptQueue, limit))
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
			"to net.core.somaxconn (%d here), so raise that too if the backlog is larger.", somaxconn)},
	}}
}
