package rules

const secureRedirectsWhy = `secure_redirects limits accepted ICMP redirects to those from ` +
	`gateways in the default gateway list; it matters only where redirects are accepted ` +
	`at all, and shared_media overrides it. A gateway can still be spoofed on the link, ` +
	`so hardening guides turn it off together with accept_redirects. The kernel uses ` +
	`conf/all OR conf/<interface>: every interface must be 0, not only conf/all.`

func ipv4SecureRedirectsAccepted() Rule {
	c := confRule{
		family: "ipv4", setting: "secure_redirects", how: combineOr,
		accepted: fixed(0), recommended: fixedRec(0),
		problem: "Redirects from listed gateways are accepted",
		why:     secureRedirectsWhy,
	}
	return Rule{
		ID:          "ipv4-secure-redirects-accepted",
		Title:       "An interface accepts IPv4 redirects from listed gateways",
		Category:    Hardening,
		Severity:    Info,
		Keys:        c.keys(),
		Explanation: secureRedirectsWhy,
		References: []string{
			`CIS Distribution Independent Linux v2.0.0, "Ensure secure ICMP redirects are not accepted"`,
			"dev-sec linux-baseline sysctl-15",
			"Documentation/networking/ip-sysctl.rst secure_redirects",
			"include/linux/inetdevice.h IN_DEV_SEC_REDIRECTS (OR of all and interface)",
		},
		Check: c.check,
	}
}
