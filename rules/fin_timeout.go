package rules

import (
	"fmt"
	"strconv"

	"github.com/tcpaudit/tcpaudit/audit"
)

// timeWaitLen is TCP_TIMEWAIT_LEN in seconds: the length of TIME_WAIT and
// the point where tcp_fin_timeout changes what an orphan costs.
const timeWaitLen = 60

const finTimeoutWhy = `tcp_fin_timeout (T) bounds how long an orphaned connection (one the ` +
	`application has already closed) waits in FIN_WAIT2 for the peer's FIN. With T at ` +
	`60 s or less the orphan becomes a small FIN_WAIT2 timewait entry for T. With T above ` +
	`60 s it stays a full socket, with its buffers, for T - 60 s, then becomes that small ` +
	`entry for another T - 60 s: 2(T - 60) s in all. The entries count against ` +
	`tcp_max_tw_buckets. tcp_fin_timeout does not shorten TIME_WAIT, which is a fixed 60 s, ` +
	`and it does not apply to a FIN_WAIT2 socket the application still holds (after ` +
	`shutdown()).`

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
			"net/ipv4/tcp.c __tcp_close; net/ipv4/tcp_timer.c tcp_keepalive_timer; net/ipv4/tcp_minisocks.c tcp_time_wait",
			"docs/kernel-facts.md §4",
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
		Evidence:    Evidence{"value": float64(v), "threshold": float64(limit)},
		Expected:    fmt.Sprintf("%s <= %d", keyFinTimeout, limit),
		Explanation: finTimeoutLife(v),
		Fix:         Fix{Sysctl: map[string]string{keyFinTimeout: strconv.FormatInt(limit, 10)}},
	}}
}

// OrphanHold is how long, in seconds, an orphaned connection whose peer
// never sends its FIN holds its timewait entry, and how long it holds its
// local port in all, with tcp_fin_timeout = v (docs/kernel-facts.md §4,
// §39): up to 60 s, a FIN_WAIT2 timewait entry for v, the whole hold; above,
// the full socket for v - 60 s (tcp_keepalive_timer) and then the entry for
// v - 60 s again. v ≤ 0 is the kernel's default, 60 s.
func OrphanHold(v int64) (entry, port int64) {
	if v <= 0 {
		v = timeWaitLen
	}
	if v <= timeWaitLen {
		return v, v
	}
	return v - timeWaitLen, 2 * (v - timeWaitLen)
}

// finTimeoutLife says what an orphan costs with tcp_fin_timeout = v
// (docs/kernel-facts.md §4).
func finTimeoutLife(v int64) string {
	const rest = ` The entries count against tcp_max_tw_buckets. tcp_fin_timeout does not ` +
		`shorten TIME_WAIT, which is a fixed 60 s, and it does not apply to a FIN_WAIT2 socket ` +
		`the application still holds (after shutdown()).`
	if v <= timeWaitLen {
		return fmt.Sprintf(`With tcp_fin_timeout = %d s, an orphaned connection (one the application `+
			`has already closed) whose peer never sends its FIN stays a small FIN_WAIT2 timewait `+
			`entry for %d s; at 60 s or less it is never held as a full socket.`, v, v) + rest
	}
	over, all := OrphanHold(v)
	return fmt.Sprintf(`With tcp_fin_timeout = %d s, an orphaned connection (one the application `+
		`has already closed) whose peer never sends its FIN stays a full socket, with its buffers, `+
		`for %d s (the time above 60 s), then a small FIN_WAIT2 timewait entry for another %d s: `+
		`%d s in all. At 60 s or less it would only be the small entry.`, v, over, over, all) + rest
}
