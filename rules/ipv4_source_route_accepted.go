package rules

const sourceRouteWhy = `Source-routed IPv4 packets carry the path they want to take, which ` +
	`lets a sender steer replies around filters. The kernel uses conf/all AND ` +
	`conf/<interface>: with the compiled defaults (all = 0, default = 1) nothing is ` +
	`accepted, because conf/all = 0 wins. This is one of the few settings where ` +
	`conf/all = 0 alone is enough.`

func ipv4SourceRouteAccepted() Rule {
	c := confRule{
		family: "ipv4", setting: "accept_source_route", how: combineAnd,
		accepted: fixed(0), recommended: fixedRec(0),
		problem: "Source-routed packets are accepted",
		why:     sourceRouteWhy,
	}
	return Rule{
		ID:          "ipv4-source-route-accepted",
		Title:       "An interface accepts source-routed IPv4 packets",
		Category:    Hardening,
		Severity:    Warning,
		Keys:        c.keys(),
		Explanation: sourceRouteWhy,
		References: []string{
			`CIS Distribution Independent Linux v2.0.0, "Ensure source routed packets are not accepted"`,
			"dev-sec linux-baseline sysctl-13",
			"Documentation/networking/ip-sysctl.rst accept_source_route",
			"include/linux/inetdevice.h IN_DEV_SOURCE_ROUTE (AND of all and interface)",
		},
		Check: c.check,
	}
}
