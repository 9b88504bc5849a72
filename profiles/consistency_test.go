package profiles_test

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/internal/fixture"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/pipeline"
	"github.com/tcpaudit/tcpaudit/profiles"
	"github.com/tcpaudit/tcpaudit/sysctlconf"
)

// differences are the only rules on which built-in profiles ask for
// different values on purpose. The profile named may ask to change a value
// that a run without it fixed (and the other way round).
var differences = map[string]string{
	// client-heavy asks 1 for every destination where the others restore
	// the kernel default 2 (loopback only).
	"tw-reuse": "client-heavy",
	// client-heavy asks for a wider range than the kernel default that the
	// others restore.
	"ephemeral-port-range": "client-heavy",
	// kubernetes-node is hardened for hosts that route pod traffic: it
	// needs ip_forward = 1 and recommends loose reverse-path filtering (2),
	// which hardened, for hosts that do not route, rejects.
	"ip-forwarding":      "kubernetes-node",
	"rp-filter-disabled": "kubernetes-node",
}

// unsettled are rules whose finding a sysctl fix does not end on a fixture
// host, because they also judge evidence the fix cannot change.
// None now: a count since boot alone is only info.
var unsettled = map[string]string{}

// fixOf runs spec on the host with pipeline.Run and returns the changes
// pipeline.PlanFix plans, by key.
func fixOf(t *testing.T, root, spec string, tree *sysctlconf.Config) (map[string]string, *pipeline.Audit) {
	t.Helper()
	a, err := pipeline.Run(context.Background(), pipeline.Options{ProcRoot: root, Profile: spec})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, c := range pipeline.PlanFix(a, tree).Changes {
		out[c.Key] = c.Value
	}
	return out, a
}

// applyFix writes the changes into the sysctl files of root (a copy of a
// fixture host), as sysctl -p would, gathers the facts, and puts the
// files back as they were.
func applyFix(t *testing.T, root string, changes map[string]string) *audit.Facts {
	t.Helper()
	for k, v := range changes {
		file := filepath.Join(root, "sys", sysctlconf.Path(k))
		old, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		defer os.WriteFile(file, old, 0o644)
		if err := os.WriteFile(file, []byte(v+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	a, err := pipeline.Run(context.Background(), pipeline.Options{ProcRoot: root})
	if err != nil {
		t.Fatal(err)
	}
	return a.Facts
}

// TestProfilesAgree applies each built-in profile's fix to each fixture
// host, then runs every combination of profiles on the fixed host: none
// may ask to change a value the fix set, except where the differences
// above say one profile asks for another value on purpose, and except what
// the first profile itself still asks (a rule the fix does not settle).
// The findings on the fixed host must fit their values too.
func TestProfilesAgree(t *testing.T) {
	r := newRuns(t, combinations())
	tree, err := sysctlconf.Resolve(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	fixes := 0
	for _, host := range fixtureHosts(t) {
		fixed := map[string]*audit.Facts{} // by fmt.Sprint(fix): profiles often plan the same fix
		root := fixture.Copy(t, host)
		for _, first := range profiles.Names() {
			fix, _ := fixOf(t, host, first, tree)
			if len(fix) == 0 {
				continue
			}
			f, ok := fixed[fmt.Sprint(fix)]
			if !ok {
				f = applyFix(t, root, fix)
				fixed[fmt.Sprint(fix)] = f
			}
			r.afterFix(filepath.Base(host)+" after "+first+"'s fix", f, first, fix)
			fixes++
		}
	}
	if fixes < 10 {
		t.Errorf("only %d fixes applied: the fixture hosts no longer exercise the profiles", fixes)
	}
	for _, rule := range append(slices.Collect(maps.Keys(differences)), slices.Collect(maps.Keys(unsettled))...) {
		if r.excused[rule] == 0 {
			t.Errorf("the exception for %s was never needed on the fixture hosts: remove it", rule)
		}
	}
}

// afterFix checks the runs on f, a host with the fix of profile first.
func (r runs) afterFix(where string, f *audit.Facts, first string, fix map[string]string) {
	own, _ := r.asks(where, f, first)
	for k, a := range own {
		if _, ok := fix[k]; !ok {
			continue
		} else if unsettled[a.rule] != "" {
			r.excused[a.rule]++
		} else {
			r.t.Errorf("%s: %s still asks %s = %s (the fix set %s)", where, a.rule, k, a.value, fix[k])
		}
	}
	for _, spec := range r.distinct {
		again, res := r.asks(where, f, spec)
		for k, a := range again {
			set, ok := fix[k]
			if !ok || sameValue(set, a.value) || sameValue(own[k].value, a.value) {
				continue
			} else if differs(a.rule, first, spec) {
				r.excused[a.rule]++
			} else {
				r.t.Errorf("%s (%s = %s): profile %s asks %s = %s (%s)", where, k, set, spec, k, a.value, a.rule)
			}
		}
		for _, fd := range res.Findings {
			for _, p := range misfits(f, fd) {
				r.t.Errorf("%s, profile %s, %s: %s", where, spec, fd.Rule, p)
			}
		}
	}
}

// differs reports whether the profile that asks for other values on rule
// on purpose is in exactly one of the two profile lists.
func differs(rule, first, spec string) bool {
	p, ok := differences[rule]
	if !ok {
		return false
	}
	return slices.Contains(strings.Split(first, ","), p) != slices.Contains(strings.Split(spec, ","), p)
}
