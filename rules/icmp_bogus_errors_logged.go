package rules

const icmpBogusWhy = `Some routers answer broadcast frames with ICMP errors that violate ` +
	`RFC 1122. With icmp_ignore_bogus_error_responses = 0 the kernel logs a warning for ` +
	`each, which an attacker can use to fill the log. The kernel default is 1.`

func icmpBogusErrorsLogged() Rule {
	s := scalarRule{
		key: "net.ipv4.icmp_ignore_bogus_error_responses", accepted: fixed(1), recommended: fixedRec(1),
		problem: "Bogus ICMP error responses are logged",
		why:     icmpBogusWhy,
	}
	return Rule{
		ID:          "icmp-bogus-errors-logged",
		Title:       "Bogus ICMP error responses are logged",
		Category:    Hardening,
		Severity:    Info,
		Keys:        []string{s.key},
		Explanation: icmpBogusWhy,
		References: []string{
			`CIS Distribution Independent Linux v2.0.0, "Ensure bogus ICMP responses are ignored"`,
			"dev-sec linux-baseline sysctl-03",
			"Documentation/networking/ip-sysctl.rst icmp_ignore_bogus_error_responses",
		},
		Check: s.check,
	}
}
