package netns

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Skips counts the namespaces of a run that were skipped, by reason, and
// those that were not, so that a run that audited none of them ends in an
// error rather than in a report of nothing that passes.
type Skips struct {
	seen    int
	reasons map[string]int
	one     string // the namespace skipped, when one was
}

// Add counts ns, skipped for reason ("" when it was audited).
func (s *Skips) Add(ns Namespace, reason string) {
	if reason == "" {
		s.seen++
		return
	}
	if s.reasons == nil {
		s.reasons = map[string]int{}
	}
	s.reasons[reason]++
	s.one = ns.String()
}

// NoneSeen returns an error when namespaces were counted and every one of
// them was skipped, saying why; nil when one was audited or none counted.
func (s *Skips) NoneSeen() error {
	n := 0
	for _, c := range s.reasons {
		n += c
	}
	switch {
	case s.seen > 0 || n == 0:
		return nil
	case n == 1:
		for r := range s.reasons {
			return fmt.Errorf("network namespace %s was not audited: %s", s.one, r)
		}
	}
	return fmt.Errorf("none of the %d network namespaces was audited: %s", n, SkipReasons(s.reasons))
}

// SkipReasons says how many namespaces were skipped for each reason of
// counts, "2 gone: their processes exited …; 1 permission denied …",
// in the order of the reasons.
func SkipReasons(counts map[string]int) string {
	var why []string
	for _, r := range slices.Sorted(maps.Keys(counts)) {
		why = append(why, fmt.Sprintf("%d %s", counts[r], SkippedMany(r, counts[r])))
	}
	return strings.Join(why, "; ")
}
