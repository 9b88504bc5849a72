package profiles_test

import (
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/internal/fixture"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/rules"
)

var (
	// expectedValue is an Expected of the form "key <= 60", "key >= 4096"
	// or "key = 1 or 2".
	expectedValue = regexp.MustCompile(`^(net\.[a-z0-9_.]+) (<=|>=|=) ([0-9a-z_, ]+)$`)
	// statedBound is a sentence part that states the value and a bound:
	// "rmem_max is 212992 bytes, below 16777216".
	statedBound = regexp.MustCompile(`is (\d+)(?: [a-z]+)?, (below|above) (\d+)`)
	// observedValue is an Observed of one numeric key: "key = 60".
	observedValue = regexp.MustCompile(`^net\.[a-z0-9_.]+ = (\d+)$`)
	// aboveSeconds is a claim about a time above a bound: "above 60 s".
	aboveSeconds = regexp.MustCompile(`(?i)\babove (\d+) s\b`)
)

// variants are values written into copies of fixture hosts so that more
// findings are shown than the hosts alone raise.
var variants = []struct {
	host    string
	changes map[string]string
}{
	{"healthy", map[string]string{"net.ipv4.tcp_fin_timeout": "90", "net.core.somaxconn": "1024", "net.ipv4.tcp_tw_reuse": "0"}},
	{"healthy", map[string]string{"net.ipv4.tcp_fin_timeout": "61", "net.core.somaxconn": "128", "net.ipv4.tcp_timestamps": "0"}},
	{"old-kernel-tw-recycle", map[string]string{"net.core.somaxconn": "64", "net.ipv4.tcp_fin_timeout": "300"}},
}

// TestFindingsFitTheirValues runs every combination of profiles on every
// fixture host and on the variants, and holds each finding to the values it
// is shown with: its fix never asks for the value already in place, the
// value it observes breaks the Expected it prints and the fix meets it, and
// a stated "is V, below N" is true.
func TestFindingsFitTheirValues(t *testing.T) {
	r := newRuns(t, combinations())
	facts := map[string]*audit.Facts{}
	for _, host := range fixtureHosts(t) {
		facts[filepath.Base(host)] = applyFix(t, host, nil)
	}
	for i, v := range variants {
		root := fixture.Copy(t, filepath.Join(hostsDir, v.host))
		facts[v.host+" variant "+strconv.Itoa(i)] = applyFix(t, root, v.changes)
	}
	checked := 0
	for where, f := range facts {
		for _, spec := range r.distinct {
			_, res := r.asks(where, f, spec)
			for _, fd := range res.Findings {
				for _, p := range misfits(f, fd) {
					t.Errorf("%s, profile %s, %s: %s", where, spec, fd.Rule, p)
				}
				checked++
			}
		}
	}
	if checked < 1000 {
		t.Errorf("only %d findings checked", checked)
	}
}

// misfits lists what in a finding does not fit the values it is shown with.
// A waived finding is an annotation of what the profile accepts
// (kubernetes-node's ip_forward = 1), not a request, and is not held to it.
func misfits(f *audit.Facts, fd rules.Finding) []string {
	if fd.Waived != "" {
		return nil
	}
	var out []string
	for k, v := range fd.Fix.Sysctl {
		if cur, ok := f.Sysctl(k); ok && sameValue(cur, v) {
			out = append(out, "the fix asks "+k+" = "+v+", the value already in place")
		}
	}
	if m := expectedValue.FindStringSubmatch(fd.Expected); m != nil {
		if cur, ok := f.Sysctl(m[1]); ok && meets(cur, m[2], m[3]) {
			out = append(out, m[1]+" = "+cur+" already meets the expected "+fd.Expected)
		}
		if v, ok := fd.Fix.Sysctl[m[1]]; ok && !meets(v, m[2], m[3]) {
			out = append(out, "the fix "+m[1]+" = "+v+" does not meet the expected "+fd.Expected)
		}
	}
	for _, text := range []string{fd.Title, fd.Observed, fd.Explanation, fd.Fix.Advice} {
		for _, m := range statedBound.FindAllStringSubmatch(text, -1) {
			v, _ := strconv.ParseInt(m[1], 10, 64)
			n, _ := strconv.ParseInt(m[3], 10, 64)
			if !(m[2] == "below" && v < n || m[2] == "above" && v > n) {
				out = append(out, "says "+strconv.Quote(m[0]))
			}
		}
	}
	if m := observedValue.FindStringSubmatch(fd.Observed); m != nil {
		v, _ := strconv.ParseInt(m[1], 10, 64)
		for _, a := range aboveSeconds.FindAllStringSubmatch(fd.Title+" "+fd.Explanation, -1) {
			if n, _ := strconv.ParseInt(a[1], 10, 64); v <= n {
				out = append(out, "says "+strconv.Quote(a[0])+" of the value "+m[1])
			}
		}
	}
	return out
}

// meets reports whether value satisfies "op want": a bound for <= and >=,
// one of the listed values ("1, 2 or 3") for =.
func meets(value, op, want string) bool {
	if op == "=" {
		list := strings.FieldsFunc(strings.ReplaceAll(want, " or ", ","), func(r rune) bool { return r == ',' })
		return slices.ContainsFunc(list, func(w string) bool { return sameValue(w, value) })
	}
	v, err1 := strconv.ParseInt(strings.TrimSpace(value), 10, 64)
	n, err2 := strconv.ParseInt(strings.TrimSpace(want), 10, 64)
	if err1 != nil || err2 != nil {
		return false
	}
	if op == "<=" {
		return v <= n
	}
	return v >= n
}
