package rules

// Catalog returns every rule, in the order reports list them.
func Catalog() []Rule {
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
}

// Lookup returns the rule with the given ID.
func Lookup(id string) (Rule, bool) {
	for _, r := range Catalog() {
		if r.ID == id {
			return r, true
		}
	}
	return Rule{}, false
}
