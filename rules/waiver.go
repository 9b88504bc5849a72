package rules

import (
	"fmt"
	"time"
)

// DateLayout is how waiver dates are written: YYYY-MM-DD.
const DateLayout = "2006-01-02"

// Waiver accepts a rule's findings, for a reason, through a date.
type Waiver struct {
	Rule   string
	Reason string
	// Expires is the last day the waiver holds.
	Expires time.Time
	// Source is where the waiver was written ("file:line").
	Source string
}

// Expired reports whether today is after the waiver's last day. A zero
// today never expires anything.
func (w Waiver) Expired(today time.Time) bool {
	if today.IsZero() {
		return false
	}
	y, m, d := today.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).After(w.Expires)
}

// ApplyWaivers marks the findings of rules with a current waiver as waived,
// with the reason, and adds a warning finding for each expired waiver: it
// no longer silences anything. today is the date of the run; the engine
// never reads the clock.
func ApplyWaivers(findings []Finding, waivers []Waiver, today time.Time) []Finding {
	out := append([]Finding(nil), findings...)
	for _, w := range waivers {
		if w.Expired(today) {
			out = append(out, expiredWaiver(w))
			continue
		}
		for i := range out {
			if out[i].Rule == w.Rule && out[i].Waived == "" {
				out[i].Waived = fmt.Sprintf("until %s: %s (%s)", w.Expires.Format(DateLayout), w.Reason, w.Source)
			}
		}
	}
	return out
}

func expiredWaiver(w Waiver) Finding {
	return Finding{
		Rule:        w.Rule,
		Severity:    Warning,
		Title:       fmt.Sprintf("The waiver for %s expired on %s", w.Rule, w.Expires.Format(DateLayout)),
		Observed:    fmt.Sprintf("waiver at %s: %q, expires %s", w.Source, w.Reason, w.Expires.Format(DateLayout)),
		Expected:    "waivers with an expiry date in the future",
		Explanation: "An expired waiver no longer silences the rule's findings. If the reason still holds, give it a new date; if the problem is fixed, delete the waiver.",
		Location:    waiverLocation(w.Source),
	}
}

// waiverLocation turns "file:line" into a Location.
func waiverLocation(src string) *Location {
	var line int
	for i := len(src) - 1; i >= 0; i-- {
		if src[i] == ':' {
			if _, err := fmt.Sscanf(src[i+1:], "%d", &line); err == nil {
				return &Location{File: src[:i], Line: line}
			}
			break
		}
	}
	if src == "" {
		return nil
	}
	return &Location{File: src}
}
