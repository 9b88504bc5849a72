package rules

const ipv6RAWhy = `An accepted router advertisement can give the host a default route, ` +
	`addresses and DNS servers, so anyone on the link can become its router. Linux reads ` +
	`accept_ra only from each interface's own value: net.ipv6.conf.all.accept_ra = 0 does ` +
	`not change existing interfaces, and conf/default only seeds interfaces created ` +
	`later. accept_ra = 1 accepts RAs only while the interface does not forward; 2 ` +
	`accepts them even when it does. Hosts configured by SLAAC need RAs: set 0 only where ` +
	`addresses and routes are static.`

func ipv6RAAccepted() Rule {
	c := confRule{
		family: "ipv6", setting: "accept_ra", how: combineRA,
		accepted: fixed(0), recommended: fixedRec(0),
		problem: "Router advertisements are accepted",
		why:     ipv6RAWhy,
		advice:  "Set the value on each interface as well as conf/default; conf/all alone changes nothing here.",
	}
	return Rule{
		ID:           "ipv6-ra-accepted",
		Title:        "An interface accepts IPv6 router advertisements",
		Category:     Hardening,
		Severity:     Warning,
		Keys:         c.keys(),
		OptionalKeys: []string{"net.ipv6.conf.all.forwarding"},
		Explanation:  ipv6RAWhy,
		References: []string{
			`CIS Distribution Independent Linux v2.0.0, "Ensure IPv6 router advertisements are not accepted"`,
			"dev-sec linux-baseline sysctl-25",
			"Documentation/networking/ip-sysctl.rst accept_ra",
			"include/net/ipv6.h ipv6_accept_ra (interface value only)",
		},
		Check: c.check,
	}
}
