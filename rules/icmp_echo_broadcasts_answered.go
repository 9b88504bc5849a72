package rules

const icmpBroadcastWhy = `With icmp_echo_ignore_broadcasts = 0 the host answers ICMP echo and ` +
	`timestamp requests sent to broadcast and multicast addresses, so it can be used to ` +
	`amplify a flood toward a spoofed source (a smurf attack). The kernel default is 1.`

func icmpEchoBroadcastsAnswered() Rule {
	s := scalarRule{
		key: "net.ipv4.icmp_echo_ignore_broadcasts", accepted: fixed(1), recommended: fixedRec(1),
		problem: "Echo requests to broadcast addresses are answered",
		why:     icmpBroadcastWhy,
	}
	return Rule{
		ID:          "icmp-echo-broadcasts-answered",
		Title:       "ICMP echo requests to broadcast addresses are answered",
		Category:    Hardening,
		Severity:    Warning,
		Keys:        []string{s.key},
		Explanation: icmpBroadcastWhy,
		References: []string{
			`CIS Distribution Independent Linux v2.0.0 3.2.5 "Ensure broadcast ICMP requests are ignored"`,
			"dev-sec linux-baseline sysctl-04",
			"Documentation/networking/ip-sysctl.rst icmp_echo_ignore_broadcasts",
		},
		Check: s.check,
	}
}
