package rules

import "strings"

// Sysctl keys the rules read.
const (
	keyPortRange     = "net.ipv4.ip_local_port_range"
	keyReservedPorts = "net.ipv4.ip_local_reserved_ports"
	keyFinTimeout    = "net.ipv4.tcp_fin_timeout"
	keyTwReuse       = "net.ipv4.tcp_tw_reuse"
	keyTwRecycle     = "net.ipv4.tcp_tw_recycle"
	keyTimestamps    = "net.ipv4.tcp_timestamps"
	keyMaxTwBuckets  = "net.ipv4.tcp_max_tw_buckets"
	keySyncookies    = "net.ipv4.tcp_syncookies"
	keySomaxconn     = "net.core.somaxconn"
	keyMaxOrphans    = "net.ipv4.tcp_max_orphans"
	keyTCPMem        = "net.ipv4.tcp_mem"
)

// globalKeys are registered only in the initial network namespace in
// Linux 6.1 (kernel-facts §12; sysctl-truth.tsv per_netns = no). Newer
// kernels give some of them to every namespace (net.core.rmem_max, wmem_max,
// rmem_default, wmem_default and optmem_max on 6.18); the list is consulted
// only when a key is absent, so that does no harm, and
// TestGlobalKeysAgainstKernel checks that every key absent from a fresh
// namespace of the running kernel is listed.
var globalKeys = map[string]bool{
	"net.ipv4.tcp_max_orphans":     true,
	"net.ipv4.tcp_mem":             true,
	"net.ipv4.udp_mem":             true,
	"net.ipv4.tcp_low_latency":     true,
	"net.core.rmem_max":            true,
	"net.core.wmem_max":            true,
	"net.core.rmem_default":        true,
	"net.core.wmem_default":        true,
	"net.core.netdev_max_backlog":  true,
	"net.core.default_qdisc":       true,
	"net.core.optmem_max":          true,
	"net.core.netdev_budget":       true,
	"net.core.netdev_budget_usecs": true,
	"net.core.bpf_jit_harden":      true,
}

// IsGlobalKey reports whether a key exists only in the initial network
// namespace, so its absence in a container is expected.
func IsGlobalKey(key string) bool {
	return globalKeys[key] || strings.HasPrefix(key, "net.ipv4.inet_peer_")
}
