package rules

const slowStartWhy = `With tcp_slow_start_after_idle = 1 (the default, RFC 2861) a ` +
	`connection that sat idle for one retransmission timeout collapses its congestion ` +
	`window and ramps up again from slow start. Long-lived connections that send in ` +
	`bursts (RPC, HTTP/2, database pools) lose throughput at the start of every burst; ` +
	`0 keeps the window.`

func slowStartAfterIdle() Rule {
	s := scalarRule{
		key: "net.ipv4.tcp_slow_start_after_idle", accepted: acceptedParam, recommended: recommendedParam,
		problem: "Idle connections restart from slow start",
		why:     slowStartWhy,
	}
	return Rule{
		ID:          "slow-start-after-idle",
		Title:       "Idle connections restart from slow start",
		Category:    Performance,
		Severity:    Info,
		Keys:        []string{s.key},
		Params:      acceptParams("tcp_slow_start_after_idle"),
		Explanation: slowStartWhy,
		References: []string{
			"Documentation/networking/ip-sysctl.rst tcp_slow_start_after_idle",
			"RFC 2861",
		},
		Check: s.check,
	}
}
