package rules

import (
	"fmt"
	"strings"

	"github.com/tcpaudit/tcpaudit/audit"
)

// choiceRule checks a string sysctl (an algorithm or qdisc name) against a
// comma-separated list of accepted names.
type choiceRule struct {
	key string
	// available, if set, is a key listing the names this kernel offers.
	available string
	problem   string
	why       string
	advice    string
}

// choiceParams declares accepted (comma-separated) and recommended names.
func choiceParams(what string) []Param {
	return []Param{
		{Name: "accepted", Kind: StringParam, Doc: "comma-separated values of " + what + " that pass"},
		{Name: "recommended", Kind: StringParam, Doc: "value the fix sets"},
	}
}

func splitList(s string) []string {
	var out []string
	for _, v := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		out = append(out, strings.TrimSpace(v))
	}
	return out
}

func (c choiceRule) check(f *audit.Facts, p Params) []Finding {
	v, ok := f.Sysctl(c.key)
	if !ok {
		return nil
	}
	accepted := splitList(p.String("accepted"))
	for _, a := range accepted {
		if a == v {
			return nil
		}
	}
	rec := p.String("recommended")
	advice := c.advice
	if avail, ok := f.Sysctl(c.available); ok && c.available != "" {
		if !containsWord(avail, rec) {
			advice = strings.TrimSpace(fmt.Sprintf("%s is not loaded yet (available: %s): load its module (tcp_%s) or build it in before applying. %s", rec, avail, rec, advice))
		}
	}
	return []Finding{{
		Title:       fmt.Sprintf("%s: %s is %q", c.problem, c.key, v),
		Observed:    fmt.Sprintf("%s = %s", c.key, v),
		Expected:    fmt.Sprintf("%s = %s", c.key, joinOr(accepted)),
		Explanation: c.why,
		Fix:         Fix{Sysctl: map[string]string{c.key: rec}, Advice: advice},
	}}
}

func containsWord(list, w string) bool {
	for _, f := range strings.Fields(list) {
		if f == w {
			return true
		}
	}
	return false
}
