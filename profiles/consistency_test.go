package profiles_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/pipeline"
	"github.com/tcpaudit/tcpaudit/profiles"
	"github.com/tcpaudit/tcpaudit/rules"
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
var unsettled = map[string]string{
	"time-wait-bucket-pressure": "judges TcpExt TCPTimeWaitOverflow, a count since boot",
}

// combinations lists every built-in profile alone, every ordered pair, and
// every set of three or more in name order and in reverse order: later
// profiles override earlier ones, so the order matters.
func combinations() []string {
	names := profiles.Names()
	var out []string
	for _, a := range names {
		out = append(out, a)
		for _, b := range names {
			if a != b {
				out = append(out, a+","+b)
			}
		}
	}
	for mask := 0; mask < 1<<len(names); mask++ {
		var set []string
		for i, n := range names {
			if mask&(1<<i) != 0 {
				set = append(set, n)
			}
		}
		if len(set) >= 3 {
			out = append(out, strings.Join(set, ","))
			slices.Reverse(set)
			out = append(out, strings.Join(set, ","))
		}
	}
	slices.SortStableFunc(out, func(a, b string) int { return strings.Count(a, ",") - strings.Count(b, ",") })
	return out
}

// ask is a value one run wants a key set to, and the rule that wants it.
type ask struct{ value, rule string }

// runs evaluates facts against many profile combinations. Combinations
// that resolve to the same settings are evaluated once: distinct holds one
// combination for each.
type runs struct {
	t        *testing.T
	configs  map[string]rules.Config
	distinct []string
}

func newRuns(t *testing.T, specs []string) runs {
	r := runs{t: t, configs: map[string]rules.Config{}}
	seen := map[string]bool{}
	for _, s := range specs {
		cfg, err := pipeline.Profile(pipeline.Options{Profile: s})
		if err != nil {
			t.Fatal(err)
		}
		r.configs[s] = cfg
		// fmt prints maps in key order, so equal settings print alike;
		// specs lists shorter combinations first, so each group is
		// represented by its shortest spelling.
		if key := fmt.Sprint(cfg.Rules); !seen[key] {
			seen[key] = true
			r.distinct = append(r.distinct, s)
		}
	}
	return r
}

// asks evaluates spec on f and returns what its unwaived findings ask to
// set, by key. Two findings of one run that ask one key for different
// values are a contradiction within the combination.
func (r runs) asks(where string, f *audit.Facts, spec string) (map[string]ask, rules.Result) {
	res := rules.NewEngine().Evaluate(f, r.configs[spec])
	out := map[string]ask{}
	for _, fd := range res.Findings {
		for k, v := range fd.Fix.Sysctl {
			if prev, ok := out[k]; ok && fd.Waived == "" && sameValue(prev.value, v) {
				continue
			} else if ok && fd.Waived == "" {
				r.t.Errorf("%s, profile %s: %s asks %s = %s, %s asks %s", where, spec, prev.rule, k, prev.value, fd.Rule, v)
			} else if fd.Waived == "" {
				out[k] = ask{v, fd.Rule}
			}
		}
	}
	return out, res
}

// sameValue compares sysctl values field by field ("32768\t60999" is
// "32768 60999").
func sameValue(a, b string) bool { return slices.Equal(strings.Fields(a), strings.Fields(b)) }

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
		root := copyTree(t, host)
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
}

// afterFix checks the runs on f, a host with the fix of profile first.
func (r runs) afterFix(where string, f *audit.Facts, first string, fix map[string]string) {
	own, _ := r.asks(where, f, first)
	for k, a := range own {
		if _, ok := fix[k]; ok && unsettled[a.rule] == "" {
			r.t.Errorf("%s: %s still asks %s = %s (the fix set %s)", where, a.rule, k, a.value, fix[k])
		}
	}
	for _, spec := range r.distinct {
		again, res := r.asks(where, f, spec)
		for k, a := range again {
			set, ok := fix[k]
			if !ok || sameValue(set, a.value) || sameValue(own[k].value, a.value) || differs(a.rule, first, spec) {
				continue
			}
			r.t.Errorf("%s (%s = %s): profile %s asks %s = %s (%s)", where, k, set, spec, k, a.value, a.rule)
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
