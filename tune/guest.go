package tune

import (
	"slices"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/sysctl"
)

// PlanGuest sizes every key like Plan, from the observations of a network
// namespace that is not the host's. host holds the values of GlobalKeys
// read in the host's namespace: the namespace shows a global key
// read-only or not at all, so it is sized against the host's value, and
// its proposal is HostWide and says that only the host can change it.
func PlanGuest(obs []audit.Observation, owners *audit.Attribution, host map[string]string) Report {
	r := series{obs: obs, owners: owners, host: host, guest: true}.plan()
	for i, p := range r.Proposals {
		if isGlobal(p.Key) {
			r.Proposals[i].HostWide = true
			r.Proposals[i].Formula += "; a host-wide key (global: one value for every network namespace): the value is the host's, and only the host can change it, never this namespace"
		}
	}
	return r
}

// GlobalKeys are the keys of Keys that are global: one value for every
// network namespace, which only the host's (initial) namespace can change
// (docs/kernel-facts.md §12).
func GlobalKeys() []string {
	return slices.DeleteFunc(Keys(), func(k string) bool { return !isGlobal(k) })
}

// isGlobal reports whether key is global.
func isGlobal(key string) bool {
	k, ok := sysctl.Lookup(key)
	return ok && k.Global()
}
