package rules

const ipv6ForwardWhy = `net.ipv6.conf.all.forwarding = 1 makes the host route IPv6 packets ` +
	`between its interfaces, and an interface that forwards ignores router ` +
	`advertisements unless its accept_ra is 2. A host that is not meant to be a router ` +
	`should not forward; dual-stack Kubernetes nodes and container hosts need it on.`

func ipv6Forwarding() Rule {
	s := forwardRule{scalarRule{
		key: "net.ipv6.conf.all.forwarding", accepted: acceptedParam, recommended: recommendedParam,
		boolean: true,
		problem: "IPv6 forwarding differs from the profile",
		why:     ipv6ForwardWhy,
		advice:  "Dual-stack Kubernetes nodes and container hosts need IPv6 forwarding: use the kubernetes-node profile.",
	}}
	return Rule{
		ID:          "ipv6-forwarding",
		Title:       "IPv6 forwarding differs from the host's role",
		Category:    Hardening,
		Severity:    Warning,
		Keys:        []string{s.key},
		Params:      forwardParams("net.ipv6.conf.all.forwarding"),
		Explanation: ipv6ForwardWhy,
		References: []string{
			`CIS Distribution Independent Linux v2.0.0 3.1.1 "Ensure IP forwarding is disabled" (IPv6 part)`,
			"dev-sec linux-baseline sysctl-19",
			"Documentation/networking/ip-sysctl.rst conf/all/forwarding",
		},
		Check: s.check,
	}
}
