package lint

import (
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/rules"
	"github.com/tcpaudit/tcpaudit/sysctlconf"
)

func profileConflict() Check {
	return Check{
		Rule: rules.Rule{
			ID:       "lint-profile-conflict",
			Title:    "Settings that contradict the profile",
			Category: rules.Hardening,
			Severity: rules.Warning,
			Explanation: "Runs the profile's rules on the configured values, keys the files leave unset at the " +
				"kernel's default where it is a fixed number, and reports each configured key a rule's fix would " +
				"change, with the rule's severity and explanation.",
		},
		Run: profileConflicts,
	}
}

// profileConflicts evaluates the profile's rules on the configured values
// alone and reports each configured key a rule's fix would change.
func profileConflicts(in *Input) []rules.Finding {
	conf, profile := in.Tree.Config, in.Options.Profile
	res := rules.NewEngine().Evaluate(configFacts(conf), profile)
	var out []rules.Finding
	for _, fd := range res.Findings {
		for _, k := range slices.Sorted(maps.Keys(fd.Fix.Sysctl)) {
			e, ok := conf.Lookup(k)
			if !ok || rules.SameSysctlValue(k, e.Value, fd.Fix.Sysctl[k]) || removed(k) {
				continue
			}
			out = append(out, rules.Finding{
				Severity: fd.Severity, Title: fmt.Sprintf("%s = %s contradicts profile %s (%s)", k, e.Value, profile.Profile, fd.Rule),
				Observed: fmt.Sprintf("%s sets %s = %s", where(e), k, e.Value), Expected: fmt.Sprintf("%s = %s", k, fd.Fix.Sysctl[k]),
				Explanation: fd.Explanation, Fix: rules.Fix{Sysctl: map[string]string{k: fd.Fix.Sysctl[k]}},
				Location: at(e),
			})
		}
	}
	return out
}

// configFacts presents the configured values as facts: every sysctl a rule
// reads is either what the configuration sets or absent, and no socket or
// counter source is available, so only rules on configured keys run.
func configFacts(c *sysctlconf.Config) *audit.Facts {
	return audit.SysctlFacts(configValues(c))
}

// configValues returns the value of every sysctl a rule reads, from the
// configuration or else the kernel's default, and the keys with neither.
func configValues(c *sysctlconf.Config) (map[string]string, map[string]error) {
	values, absent := map[string]string{}, map[string]error{}
	for _, k := range rules.NewEngine().Keys() {
		if e, ok := c.Lookup(k); ok {
			values[k] = e.Value
		} else if v, ok := kernelDefault(k); ok {
			values[k] = v
		} else {
			absent[k] = fs.ErrNotExist
		}
	}
	return values, absent
}

// kernelDefault is the value a key has at boot when no file sets it, when
// the knowledge base states it as plain integers (not for defaults that
// depend on RAM or the build). A rule that reads several keys then also
// judges a file that sets only some of them: conf/all/accept_redirects = 1
// against a conf/default the kernel leaves at 1.
func kernelDefault(key string) (string, bool) {
	k, ok := rules.LookupKey(key)
	if !ok || k.Key != key {
		return "", false
	}
	v, _, _ := strings.Cut(k.Default, " (")
	fields := strings.Fields(v)
	for _, s := range fields {
		if _, err := strconv.Atoi(s); err != nil {
			return "", false
		}
	}
	return strings.Join(fields, " "), len(fields) > 0
}
