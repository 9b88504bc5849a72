package rules

import (
	"fmt"
	"strconv"

	"github.com/tcpaudit/tcpaudit/audit"
)

const orphanWhy = `An orphan is a TCP socket the application has closed while the kernel ` +
	`still finishes the connection (sending unsent data, FIN_WAIT1, LAST_ACK, CLOSING, a ` +
	`long FIN_WAIT2). sockstat "orphan" counts them system-wide, for all namespaces. While ` +
	`the count is above tcp_max_orphans, a socket being closed is reset instead of ` +
	`finishing; orphans that have been idle are killed from their retransmit and probe ` +
	`timers already at half or a quarter of the limit (tcp_out_of_resources). The kernel ` +
	`logs "too many orphaned sockets" (rate-limited) and counts TcpExt TCPAbortOnMemory: ` +
	`peers lose the tail of their data. An orphan keeps its unsent data, up to its send ` +
	`buffer, in unswappable memory.`

func orphanPressure() Rule {
	return Rule{
		ID:       "orphan-pressure",
		Title:    "Orphaned sockets near tcp_max_orphans",
		Category: Capacity,
		Severity: Warning,
		Keys:     []string{keyMaxOrphans},
		Needs:    []audit.Source{audit.SourceSockstat},
		Params: []Param{
			{Name: "warning_share", Kind: FloatParam, Doc: "share of tcp_max_orphans that raises a warning"},
			{Name: "critical_share", Kind: FloatParam, Doc: "share that is critical"},
		},
		Explanation: orphanWhy,
		References: []string{
			"net/ipv4/tcp.c tcp_check_oom, tcp_too_many_orphans, __tcp_close",
			"net/ipv4/tcp_timer.c tcp_out_of_resources (half or a quarter of the limit)",
			"Documentation/networking/ip-sysctl.rst tcp_max_orphans",
		},
		Check: checkOrphans,
	}
}

func checkOrphans(f *audit.Facts, p Params) []Finding {
	limit, _ := sysctlInt(f, keyMaxOrphans)
	n, _ := f.Sockstat.Get("TCP", "orphan")
	if !atLeast(n, limit, p.Float("warning_share")) {
		return nil
	}
	sev := Warning
	if atLeast(n, limit, p.Float("critical_share")) {
		sev = Critical
	}
	return []Finding{{
		Severity:    sev,
		Title:       "Orphaned sockets are close to tcp_max_orphans",
		Observed:    fmt.Sprintf("sockstat orphan %d of tcp_max_orphans %d (%s)", n, limit, pct(n, limit)),
		Evidence:    Evidence{"count": float64(n), "limit": float64(limit), "share": share(n, limit), "threshold": p.Float("warning_share")},
		Expected:    fmt.Sprintf("orphans below %.0f%% of tcp_max_orphans", 100*p.Float("warning_share")),
		Explanation: orphanWhy,
		Fix: Fix{
			Sysctl: map[string]string{keyMaxOrphans: strconv.FormatInt(2*limit, 10)},
			Advice: "Find why closed connections cannot finish: peers that stop reading, or " +
				"applications closing sockets with much unsent data. Raise tcp_max_orphans only " +
				"if memory allows.",
		},
	}}
}
