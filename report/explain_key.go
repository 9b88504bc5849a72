package report

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tcpaudit/tcpaudit/rules"
)

func writeKey(ew *explainWriter, k rules.KeyInfo) {
	ew.line("%s", k.Key)
	ew.section("Meaning", k.Meaning)
	ew.section("Type", k.Type)
	ew.section("Default", k.Default)
	ew.section("Bounds", fmt.Sprintf("minimum %s; maximum %s", k.Min, k.Max))
	ew.section("Scope", keyScope(k))
	if k.History != "-" {
		ew.section("Kernel history", k.History)
	}
	if len(k.Corrections) > 0 {
		ew.line("\nCorrections")
		for _, c := range k.Corrections {
			ew.para("  - ", c)
		}
	}
	if readers := rulesReading(k.Key); len(readers) > 0 {
		ew.line("\nRules: %s", strings.Join(readers, ", "))
	}
	ew.section("Sources", k.Source)
}

// keyScope says whether each network namespace has the key.
func keyScope(k rules.KeyInfo) string {
	note := strings.TrimSpace(k.PerNetns)
	for _, p := range []string{"yes", "no"} {
		note = strings.TrimSpace(strings.TrimPrefix(note, p))
	}
	note = strings.TrimSuffix(strings.TrimPrefix(note, "("), ")")
	switch {
	case rules.ReadOnlyInChild(k.Key):
		return "global: one value for the host, which only the initial network namespace can change; in Linux 6.1 a container's namespace lacks it (that does not mean unset), and child namespaces of newer kernels (read in 6.12) show it read-only with the host's value"
	case k.Global():
		return "global in Linux 6.1: only the initial network namespace has it; where a container's namespace lacks it, that does not mean unset (" + note + ")"
	case strings.HasPrefix(k.PerNetns, "yes") && note != "":
		return "per network namespace (" + note + ")"
	case strings.HasPrefix(k.PerNetns, "yes"):
		return "per network namespace"
	}
	return k.PerNetns
}

// rulesReading lists the rules that read a key, conf/default counting as
// conf/all.
func rulesReading(key string) []string {
	all := strings.Replace(key, ".conf.default.", ".conf.all.", 1)
	var ids []string
	for _, r := range rules.Catalog() {
		if slices.ContainsFunc(slices.Concat(r.Keys, r.OptionalKeys), func(k string) bool { return k == key || k == all }) {
			ids = append(ids, r.ID)
		}
	}
	return ids
}
