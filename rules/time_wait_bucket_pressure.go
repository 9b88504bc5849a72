package rules

import (
	"fmt"
	"strconv"
	"time"

	"github.com/tcpaudit/tcpaudit/audit"
)

const timeWaitWhy = `TIME_WAIT lasts a fixed 60 seconds (TCP_TIMEWAIT_LEN, hard-coded in ` +
	`include/net/tcp.h); no sysctl changes it, and tcp_fin_timeout does not shorten it ` +
	`(that key bounds orphaned FIN_WAIT2 only). sockstat "tw" counts TIME_WAIT and orphaned ` +
	`FIN_WAIT2 entries of this network namespace, IPv4 and IPv6 together, and is compared ` +
	`with tcp_max_tw_buckets. At the limit the kernel closes sockets without any TIME_WAIT ` +
	`protection and counts TcpExt TCPTimeWaitOverflow: delayed segments of an old connection ` +
	`can then be taken for data of a new one with the same 4-tuple. Lowering ` +
	`tcp_max_tw_buckets only makes this happen sooner.`

func timeWaitBucketPressure() Rule {
	return Rule{
		ID:       "time-wait-bucket-pressure",
		Title:    "TIME_WAIT entries near or over tcp_max_tw_buckets",
		Category: Capacity,
		Severity: Warning,
		Keys:     []string{keyMaxTwBuckets},
		Needs:    []audit.Source{audit.SourceSockstat, audit.SourceNetstat},
		Params: []Param{
			{Name: "warning_share", Kind: FloatParam, Doc: "share of tcp_max_tw_buckets in use that raises a warning"},
			{Name: "critical_share", Kind: FloatParam, Doc: "share of tcp_max_tw_buckets in use that is critical"},
		},
		Explanation: timeWaitWhy,
		References: []string{
			"include/net/tcp.h TCP_TIMEWAIT_LEN",
			"net/ipv4/inet_timewait_sock.c inet_twsk_alloc",
			"net/ipv4/tcp_minisocks.c tcp_time_wait (LINUX_MIB_TCPTIMEWAITOVERFLOW)",
			"Documentation/networking/ip-sysctl.rst tcp_max_tw_buckets",
		},
		Check: checkTimeWaitBuckets,
	}
}

func checkTimeWaitBuckets(f *audit.Facts, p Params) []Finding {
	limit, _ := sysctlInt(f, keyMaxTwBuckets)
	tw, _ := f.Sockstat.Get("TCP", "tw")
	overflow, _ := f.Counters.Get("TcpExt", "TCPTimeWaitOverflow")
	var sev Severity
	switch {
	case overflow > 0 || atLeast(tw, limit, p.Float("critical_share")):
		sev = Critical
	case atLeast(tw, limit, p.Float("warning_share")):
		sev = Warning
	default:
		return nil
	}
	observed := fmt.Sprintf("sockstat tw %d of tcp_max_tw_buckets %d (%s)", tw, limit, pct(tw, limit))
	if overflow > 0 {
		observed += fmt.Sprintf("; TcpExt TCPTimeWaitOverflow %d since boot", overflow)
	}
	if r, ok := f.Sampling.Rate("TcpExt", "TCPTimeWaitOverflow"); ok {
		observed += fmt.Sprintf("; TCPTimeWaitOverflow %+d over %s (%.1f/s)", r.Delta, f.Sampling.Elapsed.Round(time.Millisecond), r.PerSecond)
	}
	raise := max(2*limit, 2*tw)
	return []Finding{{
		Severity:    sev,
		Title:       "TIME_WAIT table is near its limit: sockets may close without TIME_WAIT protection",
		Observed:    observed,
		Expected:    fmt.Sprintf("tw below %.0f%% of tcp_max_tw_buckets and TCPTimeWaitOverflow 0", 100*p.Float("warning_share")),
		Explanation: timeWaitWhy,
		Fix: Fix{
			Sysctl: map[string]string{keyMaxTwBuckets: strconv.FormatInt(raise, 10)},
			Advice: "Raise tcp_max_tw_buckets (each entry is a small minisock, not a full socket) " +
				"and reduce connection churn: reuse connections (HTTP keep-alive, pooling). " +
				"The side that closes first holds TIME_WAIT, so let clients close first where " +
				"the protocol allows it.",
		},
	}}
}
