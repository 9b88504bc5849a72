package rules

import (
	"fmt"
	"math"
	"strconv"

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
		ID:           "time-wait-bucket-pressure",
		Title:        "TIME_WAIT entries near or over tcp_max_tw_buckets",
		Category:     Capacity,
		Severity:     Warning,
		Keys:         []string{keyMaxTwBuckets},
		OptionalKeys: []string{keyFinTimeout},
		Needs:        []audit.Source{audit.SourceSockstat, audit.SourceNetstat},
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

// twHeadroom is the margin a proposed tcp_max_tw_buckets keeps above the
// measured need.
const twHeadroom = 1.5

func checkTimeWaitBuckets(f *audit.Facts, p Params) []Finding {
	limit, _ := sysctlInt(f, keyMaxTwBuckets)
	tw, _ := f.Sockstat.Get("TCP", "tw")
	trend := readTrend(f, "TcpExt", "TCPTimeWaitOverflow")
	sev := trend.severity(Critical, 1)
	switch {
	case atLeast(tw, limit, p.Float("critical_share")):
		sev = Critical
	case atLeast(tw, limit, p.Float("warning_share")):
		sev = max(sev, Warning)
	}
	if sev == 0 {
		return nil
	}
	split := splitTimewait(f, tw)
	observed := fmt.Sprintf("sockstat tw %d%s of tcp_max_tw_buckets %d (%s); TcpExt %s", tw, split.describe(), limit, pct(tw, limit), trend.describe())
	ev := trend.evidence(Evidence{"count": float64(tw), "limit": float64(limit), "share": share(tw, limit), "threshold": p.Float("warning_share")})
	split.evidence(ev)
	title := "TIME_WAIT table (orphaned FIN_WAIT2 included) is near its limit: sockets may close without TIME_WAIT protection"
	if sev == Info {
		title = fmt.Sprintf("%d TIME_WAIT overflows %s; the table is not near its limit now", trend.total, trend.since)
	}
	return []Finding{{
		Severity:    sev,
		Title:       title,
		Observed:    observed,
		Expected:    fmt.Sprintf("tw below %.0f%% of tcp_max_tw_buckets and TCPTimeWaitOverflow not rising", 100*p.Float("warning_share")),
		Explanation: timeWaitWhy,
		Evidence:    ev,
		Fix:         twBucketsFix(tw, limit, split, trend, ev),
	}}
}

// twBucketsFix sizes tcp_max_tw_buckets from the workload: the entries
// held now (sockstat tw: TIME_WAIT entries live 60 s, orphaned FIN_WAIT2
// ones their tcp_fin_timeout hold) plus the closes that found the table
// full (the overflow rate, each an entry of 60 s), × headroom. A table that
// overflowed once, with no sample to measure by how much, cannot be sized.
func twBucketsFix(tw, limit int64, sp twSplit, t counterTrend, ev Evidence) Fix {
	churn := "Reduce connection churn: reuse connections (HTTP keep-alive, pooling). " +
		"The side that closes first holds TIME_WAIT, so let clients close first where " +
		"the protocol allows it. Each entry is a small minisock, not a full socket."
	if sp.known && sp.finWait2 > 0 {
		churn += " Orphaned FIN_WAIT2 entries are connections this host closed whose peer never " +
			"closed its side: each holds its entry for the tcp_fin_timeout hold (fin-timeout rule)."
	}
	if !t.sampled && t.total > 0 {
		return Fix{Advice: "The table has overflowed: how far the need exceeds the limit is only known " +
			"from the rate, so run check --samples 3 for a size. " + churn}
	}
	rate, rateText := asShown(t.perSec)
	held := float64(tw) + rate*timeWaitLen
	need := int64(math.Ceil(held * twHeadroom))
	ev["creation_per_s"], ev["recommended"] = sp.creationRate(tw)+t.perSec, float64(need)
	if need <= limit {
		return Fix{Advice: churn}
	}
	return Fix{
		Sysctl: map[string]string{keyMaxTwBuckets: strconv.FormatInt(need, 10)},
		Advice: fmt.Sprintf("Raise tcp_max_tw_buckets to what the workload needs: the entries held "+
			"(tw %d%s + %s/s overflowing × 60 s) × %.1f headroom = %d. %s",
			tw, sp.describe(), rateText, twHeadroom, need, churn),
	}
}

// asShown returns a measured rate as the text prints it (one decimal,
// two significant digits below 0.1/s) and the value of that text, so that
// the arithmetic shown adds up to the result given.
func asShown(x float64) (float64, string) {
	text := strconv.FormatFloat(x, 'f', 1, 64)
	if x < 0.1 {
		text = strconv.FormatFloat(x, 'g', 2, 64)
	}
	v, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return x, text
	}
	return v, text
}
