package rules

import "github.com/tcpaudit/tcpaudit/sysctl"

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

// IsGlobalKey reports whether a key exists only in the initial network
// namespace, so its absence in a container is expected. It forwards to
// package sysctl (sysctl.Key.Global).
func IsGlobalKey(key string) bool {
	k, ok := sysctl.Lookup(key)
	return ok && k.Global()
}
