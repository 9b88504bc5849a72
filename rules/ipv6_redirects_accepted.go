package rules

const ipv6RedirectsWhy = `An accepted ICMPv6 redirect rewrites the host's route to a ` +
	`destination. Linux reads accept_redirects only from each interface's own value, and ` +
	`ignores redirects on an interface that forwards (net/ipv6/route.c rt6_do_redirect): ` +
	`net.ipv6.conf.all.accept_redirects = 0 does not change existing interfaces, and ` +
	`conf/default only seeds interfaces created later.`

func ipv6RedirectsAccepted() Rule {
	c := confRule{
		family: "ipv6", setting: "accept_redirects", how: combineRedirects6,
		accepted: fixed(0), recommended: fixedRec(0),
		problem: "ICMPv6 redirects are accepted",
		why:     ipv6RedirectsWhy,
		advice:  "Set the value on each interface as well as conf/default; conf/all alone changes nothing here.",
	}
	return Rule{
		ID:           "ipv6-redirects-accepted",
		Title:        "An interface accepts ICMPv6 redirects",
		Category:     Hardening,
		Severity:     Warning,
		Keys:         c.keys(),
		OptionalKeys: []string{"net.ipv6.conf.all.forwarding"},
		Explanation:  ipv6RedirectsWhy,
		References: []string{
			`CIS Distribution Independent Linux v2.0.0 3.2.2 "Ensure ICMP redirects are not accepted" (IPv6 part)`,
			"dev-sec linux-baseline sysctl-20",
			"Documentation/networking/ip-sysctl.rst accept_redirects (IPv6)",
			"net/ipv6/route.c rt6_do_redirect (interface value only, ignored while the interface forwards)",
		},
		Check: c.check,
	}
}
