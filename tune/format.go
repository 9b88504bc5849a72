package tune

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// count writes an integer with thousands separators: 73,080.
func count(n int64) string {
	s := strconv.FormatInt(max(n, -n), 10)
	var b strings.Builder
	if n < 0 {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// rate writes a per-second rate with one decimal.
func rate(r float64) string { return strconv.FormatFloat(r, 'f', 1, 64) }

// seconds writes a duration in seconds with one decimal.
func seconds(d time.Duration) string { return rate(d.Seconds()) + " s" }

// bytesPerSec writes a byte rate in bytes/s and its Mbit/s equivalent.
func bytesPerSec(r float64) string {
	return fmt.Sprintf("%s bytes/s (%s Mbit/s)", count(int64(r)), rate(r*8/1e6))
}

// insufficient is the proposal for a key the observations cannot size;
// seen says what they showed.
func (s series) insufficient(key, seen string, inputs map[string]any) Proposal {
	if inputs == nil {
		inputs = map[string]any{}
	}
	inputs["readings"] = len(s.obs)
	return Proposal{
		Key: key, Current: s.current(key), Inputs: inputs,
		Formula:    "insufficient data: " + seen + "; nothing to size from, no value is guessed",
		Confidence: Insufficient, Verdict: InsufficientData,
	}
}

// tooFew returns the insufficient-data proposal every key gets from fewer
// than two readings, and whether there were that few.
func (s series) tooFew(key string) (Proposal, bool) {
	if len(s.obs) >= 2 {
		return Proposal{}, false
	}
	return s.insufficient(key, fmt.Sprintf("%d reading(s): a rate needs two", len(s.obs)), nil), true
}

// decide fills the verdict from whether the proposed value differs.
func decide(p Proposal, change bool, proposed string) Proposal {
	if change {
		p.Verdict, p.Proposed = Change, proposed
		p.Formula += " → set " + proposed
	} else {
		p.Verdict = NoChange
		p.Formula += " → no change needed"
	}
	return p
}

// unreadable is a proposal whose need was measured but whose key this
// namespace does not show (a global key seen from a child namespace): the
// comparison is left to the host.
func unreadable(p Proposal) Proposal {
	p.Verdict, p.Confidence = InsufficientData, Insufficient
	p.Formula += "; the key is not readable here (a global key seen from a child namespace?): compare the need with its value on the host"
	return p
}
