package rules

const ipv6SourceRouteWhy = `IPv6 accept_source_route >= 0 accepts routing headers of type 2 ` +
	`(Mobile IPv6) only; a negative value rejects those too. Segment routing headers ` +
	`(types 3 and 4) are handled before this setting is read, under seg6_enabled and ` +
	`rpl_seg_enabled. The kernel uses ` +
	`min(conf/all, conf/<interface>) (net/ipv6/exthdrs.c ipv6_rthdr_rcv), and 0, the ` +
	`default, is what hardening guides ask for. Type 0 routing headers are no longer ` +
	`processed, so on current kernels a positive value acts like 0: the finding only ` +
	`keeps the configuration in line with the guides.`

func ipv6SourceRouteAccepted() Rule {
	c := confRule{
		family: "ipv6", setting: "accept_source_route", how: combineMin,
		accepted: fixed(0, -1), recommended: fixedRec(0),
		problem: "IPv6 routing headers are accepted beyond type 2",
		why:     ipv6SourceRouteWhy,
	}
	return Rule{
		ID:          "ipv6-source-route-accepted",
		Title:       "An interface sets IPv6 accept_source_route above 0",
		Category:    Hardening,
		Severity:    Info,
		Keys:        c.keys(),
		Explanation: ipv6SourceRouteWhy,
		References: []string{
			`CIS Distribution Independent Linux v2.0.0, "Ensure source routed packets are not accepted" (IPv6 part)`,
			"dev-sec linux-baseline sysctl-13",
			"Documentation/networking/ip-sysctl.rst accept_source_route (IPv6)",
			"net/ipv6/exthdrs.c ipv6_rthdr_rcv (min of all and interface)",
		},
		Check: c.check,
	}
}
