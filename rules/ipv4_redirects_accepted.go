package rules

const ipv4RedirectsWhy = `An accepted ICMP redirect rewrites the host's route to a destination, ` +
	`so anyone on the link can divert traffic through a machine of their choice. The ` +
	`kernel combines conf/all and conf/<interface> with AND on an interface that ` +
	`forwards and with OR on one that does not, so on an ordinary host conf/all = 0 alone ` +
	`leaves redirects accepted wherever the interface value is 1. A change of ip_forward ` +
	`sets conf/all/accept_redirects to the opposite value (0 when forwarding turns on, 1 ` +
	`when it turns off), so set ip_forward before the redirect settings.`

func ipv4RedirectsAccepted() Rule {
	c := confRule{
		family: "ipv4", setting: "accept_redirects", how: combineRedirects,
		accepted: fixed(0), recommended: fixedRec(0),
		problem: "ICMP redirects are accepted",
		why:     ipv4RedirectsWhy,
	}
	return Rule{
		ID:           "ipv4-redirects-accepted",
		Title:        "An interface accepts IPv4 ICMP redirects",
		Category:     Hardening,
		Severity:     Warning,
		Keys:         c.keys(),
		OptionalKeys: []string{"net.ipv4.conf.all.forwarding"},
		Explanation:  ipv4RedirectsWhy,
		References: []string{
			`CIS Distribution Independent Linux v2.0.0 3.2.2 "Ensure ICMP redirects are not accepted"`,
			"dev-sec linux-baseline sysctl-14",
			"Documentation/networking/ip-sysctl.rst accept_redirects",
			"include/linux/inetdevice.h IN_DEV_RX_REDIRECTS (AND when forwarding, OR otherwise)",
		},
		Check: c.check,
	}
}
