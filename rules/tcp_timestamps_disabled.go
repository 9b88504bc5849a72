package rules

const timestampsWhy = `tcp_timestamps = 0 turns TCP timestamps (RFC 7323) off. PAWS, the ` +
	`protection against old segments with wrapped sequence numbers, and tcp_tw_reuse both ` +
	`depend on them, and round-trip measurement loses precision. Some hardening guides ` +
	`ask for 0 so that timestamps do not reveal the uptime; mode 1, the default, already ` +
	`adds a random offset per connection, so keep 1.`

func tcpTimestampsDisabled() Rule {
	s := scalarRule{
		key: keyTimestamps, accepted: fixed(1, 2), recommended: fixedRec(1),
		problem: "TCP timestamps are off: PAWS and tcp_tw_reuse do not work",
		why:     timestampsWhy,
		advice:  "If a hardening guide set 0, restore 1: the random per-connection offset already hides the clock.",
	}
	return Rule{
		ID:          "tcp-timestamps-disabled",
		Title:       "TCP timestamps are off",
		Category:    Hardening,
		Severity:    Warning,
		Keys:        []string{s.key},
		Explanation: timestampsWhy,
		References: []string{
			"Documentation/networking/ip-sysctl.rst tcp_timestamps (mode 1: random offset per connection)",
			"RFC 7323 (PAWS)",
			"net/ipv4/tcp_ipv4.c tcp_twsk_unique (tw_reuse needs a recorded timestamp)",
			"conflicts with dev-sec linux-baseline sysctl-07, which asks for 0: tcpaudit does not follow it",
		},
		Check: s.check,
	}
}
