package rules

const martiansWhy = `log_martians logs packets with impossible source addresses (spoofed, ` +
	`or routed from the wrong side), which are often the first trace of spoofing or a ` +
	`routing mistake. The kernel uses conf/all OR conf/<interface>, so conf/all = 1 ` +
	`turns it on everywhere. The lines go through net_ratelimit(), so net.core.message_cost ` +
	`and message_burst limit them (by default at most 10 lines in each 5 s window, shared ` +
	`with the kernel's other rate-limited network messages); on a noisy network it can ` +
	`still be verbose.`

func martiansNotLogged() Rule {
	c := confRule{
		family: "ipv4", setting: "log_martians", how: combineOr,
		accepted: fixed(1), recommended: fixedRec(1),
		problem: "Martian packets are not logged",
		why:     martiansWhy,
	}
	return Rule{
		ID:          "martians-not-logged",
		Title:       "Packets with impossible addresses are not logged",
		Category:    Hardening,
		Severity:    Info,
		Keys:        c.keys(),
		Explanation: martiansWhy,
		References: []string{
			`CIS Distribution Independent Linux v2.0.0 3.2.4 "Ensure suspicious packets are logged"`,
			"dev-sec linux-baseline sysctl-17",
			"Documentation/networking/ip-sysctl.rst log_martians",
			"include/linux/inetdevice.h IN_DEV_LOG_MARTIANS (OR of all and interface)",
			"net/ipv4/route.c ip_handle_martian_source; net/core/utils.c net_ratelimit",
		},
		Check: c.check,
	}
}
