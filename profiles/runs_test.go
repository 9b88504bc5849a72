package profiles_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/pipeline"
	"github.com/tcpaudit/tcpaudit/profiles"
	"github.com/tcpaudit/tcpaudit/rules"
)

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
	// excused counts the asks excused by differences and unsettled, by
	// rule: an excuse that is never used is stale.
	excused map[string]int
}

func newRuns(t *testing.T, specs []string) runs {
	r := runs{t: t, configs: map[string]rules.Config{}, excused: map[string]int{}}
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
