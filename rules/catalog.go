package rules

import (
	"slices"
	"sync"
)

// Catalog returns every rule, in the order reports list them. The rules
// are made once: their slices are shared by every caller, to read.
func Catalog() []Rule { return slices.Clone(catalog()) }

// catalog makes the rules once: a profile's validation looks up each of
// its rules, and making the catalog for every lookup allocated 360 KB in
// a check.
var catalog = sync.OnceValue(func() []Rule {
	return []Rule{
		closeWaitAccumulation(),
		timeWaitBucketPressure(),
		ephemeralPortRange(),
		listenPortInEphemeralRange(),
		ephemeralPortExhaustion(),
		twRecycleEnabled(),
		twReuse(),
		twReuseNeedsTimestamps(),
		finTimeout(),
		listenQueueOverflow(),
		syncookiesDisabled(),
		somaxconnLow(),
		orphanPressure(),
		tcpMemoryPressure(),
		conntrackTablePressure(),
		conntrackTCPTimeouts(),
		runtimeConfigDrift(),
		rpFilterDisabled(),
		ipv4RedirectsAccepted(),
		ipv4SecureRedirectsAccepted(),
		ipv4RedirectsSent(),
		ipv4SourceRouteAccepted(),
		martiansNotLogged(),
		icmpEchoBroadcastsAnswered(),
		icmpBogusErrorsLogged(),
		ipForwarding(),
		ipv6RAAccepted(),
		ipv6RedirectsAccepted(),
		ipv6SourceRouteAccepted(),
		ipv6Forwarding(),
		rfc1337Disabled(),
		bpfJitUnhardened(),
		tcpBufferLimitsLow(),
		coreBufferLimitsLow(),
		congestionControl(),
		defaultQdisc(),
		slowStartAfterIdle(),
		tcpTimestampsDisabled(),
	}
})

// Lookup returns the rule with the given ID.
func Lookup(id string) (Rule, bool) {
	for _, r := range catalog() {
		if r.ID == id {
			return r, true
		}
	}
	return Rule{}, false
}
