package main

import "strings"

// baseSysctls are a current kernel's defaults on a machine with about 8 GiB
// of RAM (RAM-dependent values: tcp_mem, tcp_max_orphans,
// tcp_max_tw_buckets, tcp_max_syn_backlog, udp_mem). Vectors are
// tab-separated as the kernel prints them.
func baseSysctls() map[string]string {
	m := map[string]string{
		"net.ipv4.ip_local_port_range":               "32768\t60999",
		"net.ipv4.ip_local_reserved_ports":           "",
		"net.ipv4.ip_unprivileged_port_start":        "1024",
		"net.ipv4.ip_autobind_reuse":                 "0",
		"net.ipv4.ip_forward":                        "0",
		"net.ipv4.tcp_fin_timeout":                   "60",
		"net.ipv4.tcp_tw_reuse":                      "2",
		"net.ipv4.tcp_timestamps":                    "1",
		"net.ipv4.tcp_max_tw_buckets":                "131072",
		"net.ipv4.tcp_syncookies":                    "1",
		"net.ipv4.tcp_max_syn_backlog":               "2048",
		"net.ipv4.tcp_max_orphans":                   "131072",
		"net.ipv4.tcp_mem":                           "188442\t251257\t376884",
		"net.ipv4.tcp_rmem":                          "4096\t131072\t6291456",
		"net.ipv4.tcp_wmem":                          "4096\t16384\t4194304",
		"net.ipv4.udp_mem":                           "376884\t502514\t753768",
		"net.ipv4.tcp_keepalive_time":                "7200",
		"net.ipv4.tcp_keepalive_intvl":               "75",
		"net.ipv4.tcp_keepalive_probes":              "9",
		"net.ipv4.tcp_synack_retries":                "5",
		"net.ipv4.tcp_syn_retries":                   "6",
		"net.ipv4.tcp_orphan_retries":                "0",
		"net.ipv4.tcp_retries2":                      "15",
		"net.ipv4.tcp_rfc1337":                       "0",
		"net.ipv4.tcp_slow_start_after_idle":         "1",
		"net.ipv4.tcp_congestion_control":            "cubic",
		"net.ipv4.tcp_mtu_probing":                   "0",
		"net.ipv4.tcp_fastopen":                      "1",
		"net.ipv4.tcp_sack":                          "1",
		"net.ipv4.tcp_window_scaling":                "1",
		"net.ipv4.icmp_echo_ignore_broadcasts":       "1",
		"net.ipv4.icmp_ignore_bogus_error_responses": "1",
		"net.core.somaxconn":                         "4096",
		"net.core.netdev_max_backlog":                "1000",
		"net.core.rmem_max":                          "212992",
		"net.core.wmem_max":                          "212992",
		"net.core.rmem_default":                      "212992",
		"net.core.wmem_default":                      "212992",
		"net.core.optmem_max":                        "131072",
		"net.core.default_qdisc":                     "fq_codel",
		"net.core.bpf_jit_enable":                    "1",
		"net.core.bpf_jit_harden":                    "0",
		"net.ipv4.tcp_available_congestion_control":  "reno cubic",
		"net.ipv4.tcp_allowed_congestion_control":    "reno cubic",
	}
	for _, conf := range confDefaults() {
		for k, v := range conf {
			m[k] = v
		}
	}
	return m
}

// globalSysctls exist only in the initial network namespace
// (docs/kernel-facts.md §12): a container's /proc/sys lacks them.
var globalSysctls = []string{
	"net.ipv4.tcp_max_orphans", "net.ipv4.tcp_mem", "net.ipv4.udp_mem",
	"net.core.netdev_max_backlog", "net.core.optmem_max",
	"net.core.default_qdisc", "net.core.bpf_jit_enable", "net.core.bpf_jit_harden",
}

// readOnlyGlobalSysctls are global too, but a child namespace of a current
// kernel shows them read-only with the host's value (sysctl_core_net_init;
// docs/kernel-facts.md §12).
var readOnlyGlobalSysctls = []string{
	"net.core.rmem_max", "net.core.wmem_max", "net.core.rmem_default", "net.core.wmem_default",
}

// devices are the interfaces of every fixture: conf/all and conf/default are
// pseudo-devices; lo and eth0 copied conf/default when they were created.
var devices = []string{"all", "default", "lo", "eth0"}

// confDefaults are the compiled defaults of the per-interface settings
// (docs/kernel-facts.md §13; devinet.c and addrconf.c), keyed by device.
func confDefaults() map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, dev := range devices {
		sourceRoute := "1" // conf/default, and interfaces copied from it
		if dev == "all" {
			sourceRoute = "0"
		}
		out[dev] = map[string]string{}
		for k, v := range map[string]string{
			"ipv4.rp_filter": "0", "ipv4.accept_redirects": "1", "ipv4.secure_redirects": "1",
			"ipv4.send_redirects": "1", "ipv4.accept_source_route": sourceRoute,
			"ipv4.log_martians": "0", "ipv4.forwarding": "0", "ipv4.shared_media": "1",
			"ipv6.accept_ra": "1", "ipv6.accept_redirects": "1", "ipv6.accept_source_route": "0",
			"ipv6.forwarding": "0",
		} {
			fam, setting, _ := strings.Cut(k, ".")
			out[dev][confName(fam, dev, setting)] = v
		}
	}
	return out
}

// confName is the dotted key of one device's setting.
func confName(family, dev, setting string) string {
	return "net." + family + ".conf." + dev + "." + setting
}
