package rules

const sendRedirectsWhy = `A host that routes sends ICMP redirects to tell senders of a ` +
	`better next hop. A host that is not meant to be a router has no reason to, and the ` +
	`redirects reveal routing information. The kernel uses conf/all OR ` +
	`conf/<interface>, so conf/all = 0 alone does not stop an interface whose own value ` +
	`is 1 (the compiled default). Routers, Kubernetes nodes and container hosts forward ` +
	`by design; there it is informational.`

func ipv4RedirectsSent() Rule {
	c := confRule{
		family: "ipv4", setting: "send_redirects", how: combineOr,
		accepted: fixed(0), recommended: fixedRec(0),
		problem: "ICMP redirects are sent",
		why:     sendRedirectsWhy,
	}
	return Rule{
		ID:          "ipv4-redirects-sent",
		Title:       "An interface sends IPv4 ICMP redirects",
		Category:    Hardening,
		Severity:    Warning,
		Keys:        c.keys(),
		Explanation: sendRedirectsWhy,
		References: []string{
			`CIS Distribution Independent Linux v2.0.0, "Ensure packet redirect sending is disabled"`,
			"dev-sec linux-baseline sysctl-16",
			"Documentation/networking/ip-sysctl.rst send_redirects",
			"include/linux/inetdevice.h IN_DEV_TX_REDIRECTS (OR of all and interface)",
		},
		Check: c.check,
	}
}
