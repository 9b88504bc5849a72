package rules

import (
	"fmt"
	"strconv"

	"github.com/tcpaudit/tcpaudit/audit"
)

const finTimeoutWhy = `tcp_fin_timeout bounds how long an orphaned connection (one the ` +
	`application has already closed) may wait in FIN_WAIT2 for the peer's FIN. It does ` +
	`not change TIME_WAIT, which is a fixed 60 s, and it does not apply to a FIN_WAIT2 ` +
	`socket the application still holds (after shutdown()). Above 60 s the orphan stays a ` +
	`full socket, with its buffers, for the time beyond 60 s before it becomes a small ` +
	`timewait entry; a peer that never sends its FIN keeps it that long.`

func finTimeout() Rule {
	return Rule{
		ID:       "fin-timeout",
		Title:    "tcp_fin_timeout above the profile's maximum",
		Category: Lifecycle,
		Severity: Warning,
		Keys:     []string{keyFinTimeout},
		Params: []Param{
			{Name: "max", Kind: IntParam, Doc: "largest acceptable tcp_fin_timeout in seconds"},
		},
		Explanation: finTimeoutWhy,
		References: []string{
			"include/net/tcp.h tcp_fin_time",
			"net/ipv4/tcp.c __tcp_close; net/ipv4/tcp_timer.c tcp_keepalive_timer",
			"Documentation/networking/ip-sysctl.rst tcp_fin_timeout",
		},
		Check: checkFinTimeout,
	}
}

func checkFinTimeout(f *audit.Facts, p Params) []Finding {
	v, _ := sysctlInt(f, keyFinTimeout)
	limit := p.Int("max")
	if v <= limit {
		return nil
	}
	return []Finding{{
		Title:       fmt.Sprintf("tcp_fin_timeout is %d s: orphaned FIN_WAIT2 sockets linger", v),
		Observed:    fmt.Sprintf("%s = %d", keyFinTimeout, v),
		Expected:    fmt.Sprintf("%s <= %d", keyFinTimeout, limit),
		Explanation: finTimeoutWhy,
		Fix:         Fix{Sysctl: map[string]string{keyFinTimeout: strconv.FormatInt(limit, 10)}},
	}}
}
