package rules

import (
	"errors"
	"io/fs"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/sysctl"
)

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

// ReadOnlyInChild reports whether child network namespaces of newer
// kernels show a global key read-only with the initial namespace's value
// (net.core.rmem_max and its kin). It forwards to package sysctl.
func ReadOnlyInChild(key string) bool {
	k, ok := sysctl.Lookup(key)
	return ok && k.ReadOnlyInChild()
}

// ChildNamespace reports whether the facts show a child network namespace:
// tcp_max_orphans or tcp_mem, which only the initial namespace has on
// every kernel tcpaudit knows (ipv4_table), was looked for and does not
// exist (docs/kernel-facts.md §12). Facts that did not look for them show
// the initial namespace.
func ChildNamespace(f *audit.Facts) bool {
	for _, k := range []string{keyMaxOrphans, keyTCPMem} {
		if err, ok := f.Absent[k]; ok && errors.Is(err, fs.ErrNotExist) {
			return true
		}
	}
	return false
}
