package rules

import "github.com/tcpaudit/tcpaudit/audit"

// ConntrackEvents are the net/stat/nf_conntrack columns that count refused
// or evicted flows: packets dropped because the table was full (drop),
// entries evicted to make room (early_drop), entries that could not be
// inserted (insert_failed).
func ConntrackEvents() []string { return []string{"drop", "early_drop", "insert_failed"} }

// ConntrackUsage is the conntrack table of the audited network namespace as
// reports show it: its use, and the ConntrackEvents since boot and, when
// sampled, per second.
type ConntrackUsage struct {
	Count int64
	Max   int64
	// Share is Count / Max; 0 when Max is unknown.
	Share float64
	// Totals holds each of ConntrackEvents since boot.
	Totals map[string]int64
	// Rates holds each of ConntrackEvents per second between samples; nil
	// without samples.
	Rates map[string]float64
}

// conntrackUsage summarises the table; nil when conntrack was not read.
func conntrackUsage(f *audit.Facts) *ConntrackUsage {
	ct := f.Conntrack
	if ct == nil {
		return nil
	}
	u := &ConntrackUsage{Totals: map[string]int64{}, Rates: map[string]float64{}}
	u.Count, _ = ct.Get(audit.KeyConntrackCount)
	u.Max, _ = ct.Get(audit.KeyConntrackMax)
	if u.Max > 0 {
		u.Share = float64(u.Count) / float64(u.Max)
	}
	for _, n := range ConntrackEvents() {
		u.Totals[n] = ct.Stats[n]
		if r, ok := f.Sampling.Rate(audit.ConntrackSection, n); ok {
			u.Rates[n] = r.PerSecond
		}
	}
	if len(u.Rates) == 0 {
		u.Rates = nil
	}
	return u
}
