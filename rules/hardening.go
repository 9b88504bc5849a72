package rules

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/tcpaudit/tcpaudit/audit"
)

// confRule is the shape shared by the per-interface hardening rules: the
// effective value of one conf setting on every interface and on interfaces
// created later.
type confRule struct {
	family, setting string
	how             combine
	accepted        func(Params) []int64
	recommended     func(Params) int64
	// problem is the title's subject: "ICMP redirects are accepted".
	problem string
	why     string
	advice  string
}

// keys are what the rule reads: conf/all and conf/default (which also make
// Gather read every interface's value), plus forwarding where it matters.
func (c confRule) keys() []string {
	return []string{confKey(c.family, audit.ConfAll, c.setting), confKey(c.family, audit.ConfDefault, c.setting)}
}

func (c confRule) check(f *audit.Facts, p Params) []Finding {
	accepted := c.accepted(p)
	var bad []confValue
	for _, v := range effectiveValues(f, c.family, c.setting, c.how) {
		if !oneOf(v.Value, accepted) {
			bad = append(bad, v)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	rec := strconv.FormatInt(c.recommended(p), 10)
	fix := map[string]string{
		confKey(c.family, audit.ConfAll, c.setting):     rec,
		confKey(c.family, audit.ConfDefault, c.setting): rec,
	}
	var names, hows []string
	for _, v := range bad {
		names = append(names, v.Device)
		hows = append(hows, v.How)
		if v.Device != newInterfaces {
			fix[confKey(c.family, v.Device, c.setting)] = rec
		}
	}
	return []Finding{{
		Title:       fmt.Sprintf("%s on %s", c.problem, joinWords(names)),
		Observed:    fmt.Sprintf("effective %s: %s", c.setting, strings.Join(hows, "; ")),
		Evidence:    Evidence{"count": float64(len(bad)), "recommended": float64(c.recommended(p))},
		Expected:    fmt.Sprintf("effective net.%s.conf.<interface>.%s = %s on every interface", c.family, c.setting, joinInts(accepted)),
		Explanation: c.why,
		Fix:         Fix{Sysctl: fix, Advice: c.advice},
	}}
}

// scalarRule is the shape of a hardening rule on one plain sysctl.
type scalarRule struct {
	key         string
	accepted    func(Params) []int64
	recommended func(Params) int64
	problem     string
	why         string
	advice      string
	// boolean: the kernel only tests the value for non-zero, so any
	// non-zero value is judged as 1.
	boolean bool
}

func (s scalarRule) check(f *audit.Facts, p Params) []Finding {
	v, ok := sysctlInt(f, s.key)
	judged := v
	if s.boolean {
		judged = b2i(v != 0)
	}
	if !ok || oneOf(judged, s.accepted(p)) {
		return nil
	}
	return []Finding{{
		Title:       s.problem,
		Observed:    fmt.Sprintf("%s = %d", s.key, v),
		Evidence:    Evidence{"value": float64(v), "recommended": float64(s.recommended(p))},
		Expected:    fmt.Sprintf("%s = %s", s.key, joinInts(s.accepted(p))),
		Explanation: s.why,
		Fix: Fix{
			Sysctl: map[string]string{s.key: strconv.FormatInt(s.recommended(p), 10)},
			Advice: s.advice,
		},
	}}
}

// fixed returns constant accepted values, for rules without parameters.
func fixed(v ...int64) func(Params) []int64 { return func(Params) []int64 { return v } }

// fixedRec returns a constant recommendation.
func fixedRec(v int64) func(Params) int64 { return func(Params) int64 { return v } }

// acceptedParam and recommendedParam read the usual parameters.
func acceptedParam(p Params) []int64  { return p.Ints("accepted") }
func recommendedParam(p Params) int64 { return p.Int("recommended") }

// acceptParams declares the accepted/recommended parameters.
func acceptParams(what string) []Param {
	return []Param{
		{Name: "accepted", Kind: IntsParam, Doc: "effective values of " + what + " that pass"},
		{Name: "recommended", Kind: IntParam, Doc: "value the fix sets"},
	}
}

// joinWords joins names as prose: "a, b and c".
func joinWords(s []string) string {
	if len(s) <= 1 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}
