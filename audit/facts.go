// Package audit gathers the facts tcpaudit evaluates: sysctls (with each
// interface's conf values), the socket census (over netlink sock_diag on the
// live host, or by streaming /proc/net/tcp and tcp6), sockstat, kernel
// counters, the owners of sockets through <pid>/fd, and the kernel release,
// all read under one proc root. FS reads each source; Gather reads them all
// into Facts, the immutable result that records which sources were read. It
// never prints and never judges.
package audit

import (
	"fmt"
	"maps"
	"strconv"
	"strings"
	"time"
)

// Facts is everything known about one host (one network namespace). The
// gatherer fills it; nothing modifies it afterwards: the With methods
// return a new value. The exported value fields are read by the rules; which
// sources were read is recorded by the gatherer alone (Has, NotRead).
type Facts struct {
	ProcRoot string
	Kernel   Kernel
	// Sysctls holds the values of the keys asked for, fields joined by one
	// space ("32768 60999").
	Sysctls map[string]string
	// Absent holds keys that could not be read, with the reason.
	Absent   map[string]error
	Sockstat Sockstat
	// Counters merges net/netstat (TcpExt, IpExt) and net/snmp (Tcp, Ip, ...).
	Counters Counters
	// Census is nil when neither net/tcp nor net/tcp6 could be read.
	Census *Census
	// Owners is nil when attribution did not run (no CLOSE_WAIT sockets).
	Owners *Attribution
	// CloseWaitInfo holds the CLOSE_WAIT sockets with their tcp_info, the
	// longest idle first; nil unless the census came over netlink.
	CloseWaitInfo []SocketInfo
	// Configured maps canonical keys to what the sysctl configuration sets
	// at boot; nil when no configuration tree was attached (NotRead says
	// why).
	Configured map[string]Setting
	// CensusTime is how long the socket census took.
	CensusTime time.Duration
	// Conf holds the per-interface conf/all, conf/default and conf/<if>
	// values of the net.<family>.conf.all.* keys asked for.
	Conf NetConf
	// CensusSource is the source the census came from (netlink or proc).
	CensusSource CensusSource
	// CensusNote says why the census fell back to /proc, when it did, or
	// that the namespace had no socket to dump (NoSocketsNote).
	CensusNote string
	// CensusPass is set when the census came from the socket pass
	// (CensusInfo.Pass): CensusSource is netlink, whose fields it has.
	CensusPass bool
	// Sampling holds what repeated samples showed; nil for one sample.
	Sampling *Sampling
	// Conntrack is the connection-tracking table; nil when conntrack is
	// not in use in the namespace (NotRead(SourceConntrack) says why).
	Conntrack *Conntrack

	// sources records each source looked for: read, or the reason not.
	sources map[Source]readStatus
}

// readStatus is whether a source was read, and why not.
type readStatus struct {
	read   bool
	reason string
}

// Has reports whether source s was recorded as read; facts that nothing
// gathered have read nothing.
func (f *Facts) Has(s Source) bool { return f.sources[s].read }

// NotRead returns the reason source s was not read and true when the
// gatherer looked for s and could not read it; "" and false when s was
// read or nothing looked for it (Has tells which).
func (f *Facts) NotRead(s Source) (string, bool) {
	st, ok := f.sources[s]
	if !ok || st.read {
		return "", false
	}
	return st.reason, true
}

// record notes that s was read (reason "") or why it was not.
func (f *Facts) record(s Source, read bool, reason string) {
	if f.sources == nil {
		f.sources = make(map[Source]readStatus)
	}
	f.sources[s] = readStatus{read: read, reason: reason}
}

// with returns a copy of f whose source record can be changed without
// touching f.
func (f *Facts) with() *Facts {
	g := *f
	g.sources = maps.Clone(f.sources)
	return &g
}

// WithConfigured returns a copy of f holding what the sysctl configuration
// sets (canonical key → setting), with SourceConfig recorded as read.
func (f *Facts) WithConfigured(c map[string]Setting) *Facts {
	g := f.with()
	g.Configured = c
	g.record(SourceConfig, true, "")
	return g
}

// WithoutConfigured returns a copy of f with no sysctl configuration and
// SourceConfig recorded as not read, for the given reason.
func (f *Facts) WithoutConfigured(reason string) *Facts {
	g := f.with()
	g.Configured = nil
	g.record(SourceConfig, false, reason)
	return g
}

// NewFacts returns facts holding the values of v (its record of sources is
// ignored) with exactly the sources in read recorded as read. It builds
// facts from values known otherwise: a test, a replayed input.
func NewFacts(v Facts, read ...Source) *Facts {
	f := v
	f.sources = nil
	for _, s := range read {
		f.record(s, true, "")
	}
	return &f
}

// SysctlFacts returns facts holding only sysctl values, and the keys that
// have none: every other source is recorded as not read, with the reason
// "not read by lint".
func SysctlFacts(values map[string]string, absent map[string]error) *Facts {
	f := &Facts{Sysctls: values, Absent: absent}
	for _, s := range Sources() {
		f.record(s.Source, false, "not read by lint")
	}
	return f
}

// Sysctl returns a key's value and whether the key was read.
func (f *Facts) Sysctl(key string) (string, bool) {
	v, ok := f.Sysctls[key]
	return v, ok
}

// SysctlInts returns a key's whitespace-separated integer fields.
func (f *Facts) SysctlInts(key string) ([]int64, error) {
	v, ok := f.Sysctls[key]
	if !ok {
		return nil, fmt.Errorf("sysctl %s: not read", key)
	}
	var out []int64
	for _, s := range strings.Fields(v) {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("sysctl %s: %q is not an integer", key, s)
		}
		out = append(out, n)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("sysctl %s: empty value", key)
	}
	return out, nil
}
