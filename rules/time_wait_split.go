package rules

import (
	"fmt"

	"github.com/tcpaudit/tcpaudit/audit"
)

// twSplit is what the timewait entries of sockstat tw are: the census's
// TIME_WAIT sockets, and the rest, the orphaned FIN_WAIT2 entries (both
// count against tcp_max_tw_buckets: docs/kernel-facts.md §8, §11, §39).
// The census and sockstat are read a moment apart, so the rest is clamped
// at 0.
type twSplit struct {
	// known is false when no census counted TIME_WAIT.
	known              bool
	timeWait, finWait2 int64
	// hold is how long an orphaned FIN_WAIT2 entry lives in seconds
	// (tcp_fin_timeout up to 60 s, tcp_fin_timeout − 60 s above); 0 when
	// tcp_fin_timeout is unknown.
	hold float64
}

// splitTimewait splits tw, the sockstat count, with the census of f.
func splitTimewait(f *audit.Facts, tw int64) twSplit {
	if f.Census == nil || !f.Census.Filter().Has(audit.TimeWait) {
		return twSplit{}
	}
	sp := twSplit{known: true, timeWait: int64(f.Census.Count(audit.TimeWait))}
	sp.finWait2 = max(0, tw-sp.timeWait)
	if t, ok := sysctlInt(f, keyFinTimeout); ok && t > 0 {
		entry, _ := OrphanHold(t)
		sp.hold = float64(entry)
	}
	return sp
}

// describe is the split for the texts: " (30 TIME_WAIT + 50 orphaned
// FIN_WAIT2)"; "" when it is unknown.
func (sp twSplit) describe() string {
	if !sp.known {
		return ""
	}
	return fmt.Sprintf(" (%d TIME_WAIT + %d orphaned FIN_WAIT2)", sp.timeWait, sp.finWait2)
}

// evidence adds the split to ev.
func (sp twSplit) evidence(ev Evidence) {
	if !sp.known {
		return
	}
	ev["time_wait"], ev["orphaned_fin_wait2"] = float64(sp.timeWait), float64(sp.finWait2)
	if sp.hold > 0 {
		ev["fin_wait2_hold_s"] = sp.hold
	}
}

// creationRate is the rate at which the entries held now are created:
// TIME_WAIT entries over their 60 s, orphaned FIN_WAIT2 ones over their
// hold; tw over 60 s when the split or the hold is unknown.
func (sp twSplit) creationRate(tw int64) float64 {
	if !sp.known || sp.hold == 0 {
		return float64(tw) / timeWaitLen
	}
	return float64(sp.timeWait)/timeWaitLen + float64(sp.finWait2)/sp.hold
}
