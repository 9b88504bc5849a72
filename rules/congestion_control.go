package rules

const congestionWhy = `net.ipv4.tcp_congestion_control picks the algorithm for new ` +
	`connections. An accepted connection takes the namespace's default at handshake time ` +
	`unless a route sets one or the listener chose one with TCP_CONGESTION ` +
	`(tcp_ca_openreq_child); existing connections keep theirs. The usual default is ` +
	`cubic, which backs off on every loss; on long fat paths with some random loss a ` +
	`model-based algorithm such as bbr keeps throughput up. A new network namespace ` +
	`inherits the initial namespace's algorithm, not its parent's. The algorithm must be ` +
	`built in or its module loadable, and tcp_available_congestion_control lists the ` +
	`loaded ones.`

func congestionControl() Rule {
	c := choiceRule{
		key:       "net.ipv4.tcp_congestion_control",
		available: "net.ipv4.tcp_available_congestion_control",
		problem:   "Congestion control differs from the profile",
		why:       congestionWhy,
	}
	return Rule{
		ID:           "congestion-control",
		Title:        "TCP congestion control differs from the profile",
		Category:     Performance,
		Severity:     Info,
		Keys:         []string{c.key},
		OptionalKeys: []string{c.available},
		Params:       choiceParams("tcp_congestion_control"),
		Explanation:  congestionWhy,
		References: []string{
			"Documentation/networking/ip-sysctl.rst tcp_congestion_control",
			"net/ipv4/tcp_cong.c",
			"net/ipv4/tcp_minisocks.c tcp_ca_openreq_child (accepted connections)",
		},
		Check: c.check,
	}
}
