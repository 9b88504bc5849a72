package rules

import "strings"

// mythPhrases are claims docs/kernel-facts.md §15 says tcpaudit must never make,
// lower-case, as they appear after the "net.ipv4." and "net.core." prefixes
// are dropped. Tests hold every explanation, finding and knowledge text
// against them.
var mythPhrases = []string{
	// 1, 4: tcp_fin_timeout is not the TIME_WAIT timer.
	"tcp_fin_timeout shortens time_wait", "tcp_fin_timeout controls time_wait",
	"tcp_fin_timeout reduces time_wait", "tcp_fin_timeout is the time_wait",
	"lower tcp_fin_timeout to reduce time_wait", "fin_wait2 and time_wait are the same",
	// 2: tcp_tw_recycle.
	"enable tcp_tw_recycle", "set tcp_tw_recycle to 1", "tcp_tw_recycle = 1 to", "tcp_tw_recycle=1 to",
	// 3: the port myth.
	"maximum of 65535 connections", "limit of 65535 connections", "only 65535 connections",
	"at most 65535 connections", "max 65535 connections",
	// 5, 6: tcp_tw_reuse.
	"tcp_tw_reuse reduces time_wait", "tcp_tw_reuse shortens time_wait",
	"tcp_tw_reuse for incoming", "tcp_tw_reuse helps incoming", "tcp_tw_reuse defaults to 0",
	"tcp_tw_reuse default is 0",
	// 7: timestamps.
	"disable tcp_timestamps", "set tcp_timestamps to 0", "tcp_timestamps = 0 to harden",
	// 8: tcp_max_syn_backlog.
	"raise tcp_max_syn_backlog", "increase tcp_max_syn_backlog", "tcp_max_syn_backlog sizes the syn queue",
	// 9: somaxconn.
	"somaxconn defaults to 128", "somaxconn default is 128", "default somaxconn of 128",
	// 10, 11: tcp_max_tw_buckets.
	"lower tcp_max_tw_buckets", "reduce tcp_max_tw_buckets", "decrease tcp_max_tw_buckets",
	"dmesg for time wait bucket table overflow",
	// 12: TIME_WAIT length.
	"2msl", "2 x msl", "2×msl", "time_wait lasts 4 minutes", "time_wait lasts 120", "time_wait lasts 240",
	"tune msl", "nf_conntrack_tcp_timeout_time_wait shortens",
	// 13, 15: retries and keepalive.
	"tcp_orphan_retries=0 disables", "tcp_orphan_retries = 0 disables",
	"tcp_keepalive_time drops idle", "drops idle connections after 2 h",
	// 16, 17: units and caps.
	"tcp_mem is in bytes", "tcp_mem in bytes", "tcp_mem (bytes)",
	"tcp_rmem caps so_rcvbuf", "tcp_wmem caps so_sndbuf",
	// 18, 19, 20.
	"sockstat tw is the number of time_wait", "tw = number of time_wait",
	"st=0c is", "rmem_max is unset", "tcp_mem is unset", "tcp_max_orphans is unset",
}

// RepeatsMyth returns the first docs/kernel-facts.md §15 myth phrase text contains, or "".
func RepeatsMyth(text string) string {
	norm := strings.ToLower(text)
	norm = strings.NewReplacer("net.ipv4.", "", "net.core.", "").Replace(norm)
	for _, m := range mythPhrases {
		if strings.Contains(norm, m) {
			return m
		}
	}
	return ""
}
