package rules

const rpFilterWhy = `Reverse-path filtering drops packets whose source address would not be ` +
	`routed back out of the interface they arrived on (1, strict, RFC 3704) or out of any ` +
	`interface (2, loose), which blocks spoofed sources. The kernel uses ` +
	`max(conf/all, conf/<interface>), so conf/all = 0 does not turn it off where an ` +
	`interface sets it, and conf/all = 1 turns it on everywhere. Strict mode drops ` +
	`legitimate traffic on hosts with asymmetric routing (several uplinks, policy ` +
	`routing, overlay networks); loose mode is the usual choice there.`

func rpFilterDisabled() Rule {
	c := confRule{
		family: "ipv4", setting: "rp_filter", how: combineMax,
		accepted: acceptedParam, recommended: recommendedParam,
		problem: "Reverse-path filtering is off",
		why:     rpFilterWhy,
		advice:  "Use 2 (loose) on hosts with asymmetric routing or overlay networks.",
	}
	return Rule{
		ID:          "rp-filter-disabled",
		Title:       "Reverse-path filtering is off on an interface",
		Category:    Hardening,
		Severity:    Warning,
		Keys:        c.keys(),
		Params:      acceptParams("rp_filter"),
		Explanation: rpFilterWhy,
		References: []string{
			`CIS Distribution Independent Linux v2.0.0, "Ensure Reverse Path Filtering is enabled"`,
			"dev-sec linux-baseline sysctl-02",
			"Documentation/networking/ip-sysctl.rst rp_filter",
			"include/linux/inetdevice.h IN_DEV_RPFILTER (max of all and interface)",
		},
		Check: c.check,
	}
}
