package rules

import (
	"fmt"
	"math"
	"strings"

	"github.com/tcpaudit/tcpaudit/audit"
)

const conntrackPressureWhy = `netfilter's connection-tracking table holds one entry per flow that ` +
	`crossed a rule using conntrack (ct state, NAT, Docker, kube-proxy), beside the socket ` +
	`table ss shows. Its limit, net.netfilter.nf_conntrack_max, and its hash size, ` +
	`nf_conntrack_buckets, are global: set in the initial network namespace and read-only in ` +
	`containers. When the table is full the kernel first evicts an entry that is not yet ` +
	`assured (early_drop) and otherwise drops the packet ("nf_conntrack: table full, dropping ` +
	`packet", counted as drop); new connections then fail with retransmitted SYNs and connect ` +
	`timeouts while ss shows nothing unusual. insert_failed counts entries that could not be ` +
	`inserted (a clash, often with NAT). The counters in /proc/net/stat/nf_conntrack are totals ` +
	`since boot: compare two readings to see if it is still happening.`

func conntrackTablePressure() Rule {
	return Rule{
		ID:       "conntrack-table-pressure",
		Title:    "Connection-tracking table pressure",
		Category: Capacity,
		Severity: Warning,
		Needs:    []audit.Source{audit.SourceConntrack},
		Params: []Param{
			{Name: "warning_share", Kind: FloatParam, Doc: "share of nf_conntrack_max in use that is a warning"},
			{Name: "critical_share", Kind: FloatParam, Doc: "share of nf_conntrack_max in use that is critical"},
			{Name: "min_drops", Kind: IntParam, Doc: "drop + early_drop + insert_failed since boot that raise an info finding"},
			{Name: "managed_by", Kind: StringParam, Doc: `"kube-proxy" when kube-proxy sets nf_conntrack_max at start; "" otherwise`},
		},
		Explanation: conntrackPressureWhy,
		References: []string{
			"net/netfilter/nf_conntrack_core.c __nf_conntrack_alloc, early_drop, nf_conntrack_init_start",
			"net/netfilter/nf_conntrack_standalone.c nf_conntrack_standalone_init_sysctl, ct_cpu_seq_show",
			"docs/kernel-facts.md §22",
		},
		Check: checkConntrackPressure,
	}
}

func checkConntrackPressure(f *audit.Facts, p Params) []Finding {
	ct := f.Conntrack
	count, _ := ct.Get(audit.KeyConntrackCount)
	limit, ok := ct.Get(audit.KeyConntrackMax)
	if !ok || limit <= 0 {
		return nil
	}
	buckets, _ := ct.Get(audit.KeyConntrackBuckets)
	trend := conntrackTrend(f, ConntrackEvents()...)
	share := float64(count) / float64(limit)
	sev := trend.severity(Critical, p.Int("min_drops"))
	switch {
	case share >= p.Float("critical_share"):
		sev = Critical
	case share >= p.Float("warning_share") && sev != Critical:
		sev = Warning
	}
	if sev == 0 {
		return nil
	}
	ev := trend.evidence(Evidence{"count": float64(count), "max": float64(limit), "buckets": float64(buckets), "share": share})
	for _, n := range trend.names {
		if r, ok := f.Sampling.Rate(audit.ConntrackSection, n); ok {
			ev[n+"_delta"] = float64(r.Delta)
		}
	}
	newMax, newBuckets, arithmetic := conntrackSize(count, limit, buckets, trend)
	fix := Fix{Advice: conntrackAdvice(p.String("managed_by"), arithmetic, newMax, newBuckets, ChildNamespace(f))}
	if sev != Info {
		ev["proposed_max"], ev["proposed_buckets"] = float64(newMax), float64(newBuckets)
		fix.Sysctl = map[string]string{audit.KeyConntrackMax: fmt.Sprint(newMax)}
		if newBuckets != buckets {
			fix.Sysctl[audit.KeyConntrackBuckets] = fmt.Sprint(newBuckets)
		}
	}
	return []Finding{{
		Severity:    sev,
		Title:       conntrackTitle(sev, share, trend),
		Observed:    fmt.Sprintf("%d of %d entries in use (%.0f%%), %d buckets; %s", count, limit, 100*share, buckets, trend.describe()),
		Expected:    fmt.Sprintf("below %.0f%% of nf_conntrack_max and no drop, early_drop or insert_failed while the host is sampled", 100*p.Float("warning_share")),
		Explanation: conntrackPressureWhy,
		Evidence:    ev,
		Fix:         fix,
	}}
}

// conntrackTrend reads conntrack statistics as a counter trend: totals
// from net/stat/nf_conntrack, deltas from the samples.
func conntrackTrend(f *audit.Facts, names ...string) counterTrend {
	return trendOf(f, audit.ConntrackSection, func(n string) int64 { return f.Conntrack.Stats[n] }, names)
}

// conntrackSize is a table where the peak count (the current count, plus
// what was dropped per second over one TIME_WAIT timeout of 120 s when
// sampled) fills half of max, rounded up to a power of two and never
// below the current max, with at most 4 entries per bucket.
func conntrackSize(count, limit, buckets int64, t counterTrend) (int64, int64, string) {
	peak := count
	arith := fmt.Sprintf("peak %d", count)
	if t.sampled && t.perSec > 0 {
		extra := int64(math.Ceil(t.perSec * 120))
		peak += extra
		arith = fmt.Sprintf("peak %d + %.1f refused/s × 120 s = %d", count, t.perSec, peak)
	}
	size := int64(1)
	for size < 2*peak || size <= limit {
		size <<= 1
	}
	arith += fmt.Sprintf("; × 2 for headroom = %d, rounded up to a power of two above the current %d: %d", 2*peak, limit, size)
	nb := max(buckets, size/4)
	arith += fmt.Sprintf("; buckets max(%d, %d / 4) = %d (at most 4 entries per bucket)", buckets, size, nb)
	return size, nb, arith
}

// conntrackAdvice says how to raise the limit, and where it is set.
func conntrackAdvice(managedBy, arithmetic string, newMax, newBuckets int64, child bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Find what fills the table (conntrack -L, grouped by source and state) and "+
		"whether entries outlive their flows (see conntrack-tcp-timeouts). Then size it: %s. "+
		"Each entry costs about 300 bytes of kernel memory.", arithmetic)
	if child {
		b.WriteString(" nf_conntrack_max and nf_conntrack_buckets are read-only in this network namespace: set them on the host.")
	}
	if managedBy == "kube-proxy" {
		fmt.Fprintf(&b, " kube-proxy sets nf_conntrack_max when it starts, to --conntrack-max-per-core "+
			"(32768) × cores, at least --conntrack-min (131072): a sysctl.d value is overwritten. "+
			"Raise conntrack.maxPerCore in kube-proxy's configuration so it yields %d, "+
			"or set it to 0 to leave the limit to sysctl.", newMax)
	}
	return b.String()
}

// conntrackTitle says whether the table is filling or only dropped once.
func conntrackTitle(sev Severity, share float64, t counterTrend) string {
	switch {
	case sev == Info:
		return "Conntrack dropped or failed entries since boot; not known to happen now"
	case t.rising():
		return fmt.Sprintf("Conntrack drops or fails entries now (table %.0f%% full)", 100*share)
	case sev == Info:
		return "Conntrack dropped or failed entries since boot; not known to happen now"
	case share >= 1:
		return "The conntrack table is full: packets of new flows are dropped"
	}
	return fmt.Sprintf("The conntrack table is %.0f%% full", 100*share)
}
