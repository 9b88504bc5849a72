package rules

const secureRedirectsWhy = `With secure_redirects = 1 an interface that accepts ICMP ` +
	`redirects takes only those naming a new gateway that is in the default gateway list ` +
	`(net/ipv4/route.c __ip_do_redirect, ip_fib_check_default); shared_media = 1 skips ` +
	`that check. It has no effect where accept_redirects is effectively 0, and the CIS ` +
	`and dev-sec baselines ask for 0 together with accept_redirects = 0. On its own, 0 ` +
	`widens what is accepted to redirects naming any on-link gateway, so turn ` +
	`accept_redirects off first (ipv4-redirects-accepted). The kernel uses conf/all OR ` +
	`conf/<interface>: every interface must be 0, not only conf/all.`

func ipv4SecureRedirectsAccepted() Rule {
	c := confRule{
		family: "ipv4", setting: "secure_redirects", how: combineOr,
		accepted: fixed(0), recommended: fixedRec(0),
		problem: "secure_redirects is on",
		why:     secureRedirectsWhy,
		advice:  "Set accept_redirects to 0 as well (ipv4-redirects-accepted): secure_redirects = 0 alone accepts redirects to any on-link gateway.",
	}
	return Rule{
		ID:          "ipv4-secure-redirects-accepted",
		Title:       "secure_redirects is on where the CIS and dev-sec baselines ask for 0",
		Category:    Hardening,
		Severity:    Info,
		Keys:        c.keys(),
		Explanation: secureRedirectsWhy,
		References: []string{
			`CIS Distribution Independent Linux v2.0.0, "Ensure secure ICMP redirects are not accepted"`,
			"dev-sec linux-baseline sysctl-15",
			"Documentation/networking/ip-sysctl.rst secure_redirects",
			"include/linux/inetdevice.h IN_DEV_SEC_REDIRECTS (OR of all and interface)",
			"net/ipv4/route.c __ip_do_redirect (secure_redirects and shared_media checks)",
		},
		Check: c.check,
	}
}
