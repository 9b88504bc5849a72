package rules

const rfc1337Why = `With tcp_rfc1337 = 0 (the default) an in-window RST that reaches a ` +
	`socket in TIME_WAIT destroys it early ("TIME_WAIT assassination", RFC 1337), so ` +
	`the 60 s protection against old duplicate segments is lost. With 1 the RST is ` +
	`ignored and TIME_WAIT runs its full 60 s. The kernel documentation words this ` +
	`backwards; the code (tcp_minisocks.c tcp_timewait_state_process) is as stated here.`

func rfc1337Disabled() Rule {
	s := scalarRule{
		key: "net.ipv4.tcp_rfc1337", accepted: fixed(1), recommended: fixedRec(1),
		boolean: true,
		problem: "TIME_WAIT can be cut short by an RST (tcp_rfc1337 = 0)",
		why:     rfc1337Why,
	}
	return Rule{
		ID:          "rfc1337-disabled",
		Title:       "TIME_WAIT assassination protection is off",
		Category:    Hardening,
		Severity:    Info,
		Keys:        []string{s.key},
		Explanation: rfc1337Why,
		References: []string{
			"dev-sec linux-baseline sysctl-10",
			"RFC 1337",
			"net/ipv4/tcp_minisocks.c tcp_timewait_state_process",
			"Documentation/networking/ip-sysctl.rst tcp_rfc1337 (wording inverted, see kernel code)",
		},
		Check: s.check,
	}
}
