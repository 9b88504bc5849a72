// Package audit gathers the facts tcpaudit evaluates: sysctls (with each
// interface's conf values), the socket census (over netlink sock_diag on the
// live host, or by streaming /proc/net/tcp and tcp6), sockstat, kernel
// counters, the owners of sockets through <pid>/fd, and the kernel release,
// all read under one proc root. It never prints and never judges.
package audit

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/tcpaudit/tcpaudit/internal/input"
)

// Source names a fact source, as a path under the proc root where it is a
// file.
type Source string

// The sources Gather reads. SourceSockets is satisfied when at least one of
// net/tcp and net/tcp6 was read; SourceProcesses when process attribution
// ran.
const (
	SourceRelease   Source = "sys/kernel/osrelease"
	SourceTCP       Source = "net/tcp"
	SourceTCP6      Source = "net/tcp6"
	SourceSockets   Source = "sockets"
	SourceSockstat  Source = "net/sockstat"
	SourceSockstat6 Source = "net/sockstat6"
	SourceNetstat   Source = "net/netstat"
	SourceSNMP      Source = "net/snmp"
	SourceProcesses Source = "processes"
)

// Facts is everything known about one host (one network namespace).
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
	// Missing maps each source that could not be read to the reason.
	Missing map[Source]string
	// Configured maps canonical keys to what the sysctl configuration sets
	// at boot; nil when no configuration tree was read (Missing says why).
	Configured map[string]Setting
	// CensusTime is how long the socket census took.
	CensusTime time.Duration
	// Conf holds the per-interface conf/all, conf/default and conf/<if>
	// values of the net.<family>.conf.all.* keys asked for.
	Conf NetConf
	// CensusSource is the source the census came from (netlink or proc).
	CensusSource CensusSource
	// CensusNote says why the census fell back to /proc, when it did.
	CensusNote string
	// Sampling holds what repeated samples showed; nil for one sample.
	Sampling *Sampling
}

// Has reports whether a source was read.
func (f *Facts) Has(s Source) bool {
	switch s {
	case SourceSockets:
		return f.Census != nil
	case SourceProcesses:
		return f.Owners != nil
	case SourceConfig:
		return f.Configured != nil
	}
	_, missing := f.Missing[s]
	return !missing
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

// Options says what Gather reads.
type Options struct {
	// ProcRoot is the directory that mirrors /proc.
	ProcRoot string
	// Keys are the sysctls to read, dotted ("net.ipv4.tcp_fin_timeout").
	Keys []string
	// Census selects the census source; "" means auto.
	Census CensusSource
}

// PortRangeKey is read by every census: it sets the ephemeral aggregate.
const PortRangeKey = "net.ipv4.ip_local_port_range"

// Gather reads the facts under o.ProcRoot. A missing file is recorded in
// Facts.Missing; a file that exists but cannot be parsed is an error naming
// the file and line.
func Gather(o Options) (*Facts, error) {
	st, err := os.Stat(o.ProcRoot)
	if err != nil {
		return nil, fmt.Errorf("proc root: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("proc root %s: not a directory", o.ProcRoot)
	}
	f := &Facts{
		ProcRoot: o.ProcRoot,
		Sysctls:  make(map[string]string),
		Absent:   make(map[string]error),
		Sockstat: make(Sockstat),
		Counters: make(Counters),
		Missing:  make(map[Source]string),
	}
	if err := f.readRelease(); err != nil {
		return nil, err
	}
	if err := f.readSysctls(append([]string{PortRangeKey}, o.Keys...)); err != nil {
		return nil, err
	}
	if err := f.readConf(o.Keys); err != nil {
		return nil, err
	}
	if err := f.readCensus(o); err != nil {
		return nil, err
	}
	if err := f.readStats(); err != nil {
		return nil, err
	}
	if len(f.Sysctls) == 0 && f.Census == nil && len(f.Sockstat) == 0 && len(f.Counters) == 0 {
		return nil, fmt.Errorf("proc root %s: no sysctls and none of net/tcp, net/tcp6, net/sockstat, net/netstat, net/snmp: not a proc tree", o.ProcRoot)
	}
	if f.Census != nil && len(f.Census.CloseWait) > 0 {
		a, err := Attribute(o.ProcRoot, f.Census.CloseWait)
		if err != nil {
			f.Missing[SourceProcesses] = err.Error()
		} else {
			f.Owners = &a
		}
	}
	return f, nil
}

func (f *Facts) path(s Source) string { return filepath.Join(f.ProcRoot, string(s)) }

func (f *Facts) readRelease() error {
	b, err := readSmall(f.path(SourceRelease))
	if hostile(err) {
		return err
	}
	if err != nil {
		f.Missing[SourceRelease] = reason(err)
		return nil
	}
	f.Kernel = ParseRelease(string(b))
	return nil
}

func (f *Facts) readSysctls(keys []string) error {
	for _, k := range keys {
		if _, done := f.Sysctls[k]; done {
			continue
		}
		v, err := readSysctl(f.ProcRoot, k)
		if hostile(err) {
			return fmt.Errorf("sysctl %s: %w", k, err)
		}
		if err != nil {
			f.Absent[k] = err
			continue
		}
		f.Sysctls[k] = strings.Join(v, " ")
	}
	return nil
}

// portRange returns the ephemeral range, or an empty range if unknown.
func (f *Facts) portRange() (uint16, uint16) {
	r, err := f.SysctlInts(PortRangeKey)
	if err != nil || len(r) != 2 || r[0] < 1 || r[1] > 65535 || r[0] > r[1] {
		return 1, 0
	}
	return uint16(r[0]), uint16(r[1])
}

func (f *Facts) readStats() error {
	for _, s := range []Source{SourceSockstat, SourceSockstat6} {
		if _, err := f.parseFile(s, func(fh *os.File) error { return ParseSockstat(fh, f.Sockstat) }); err != nil {
			return err
		}
	}
	for _, s := range []Source{SourceNetstat, SourceSNMP} {
		_, err := f.parseFile(s, func(fh *os.File) error {
			c, err := ParseCounters(fh)
			for k, v := range c {
				f.Counters[k] = v
			}
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// parseFile opens a source and runs parse on it. A missing file is recorded
// and reported as not read; any other failure is an error naming the file.
func (f *Facts) parseFile(s Source, parse func(*os.File) error) (bool, error) {
	p := f.path(s)
	fh, err := input.Open(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			f.Missing[s] = reason(err)
			return false, nil
		}
		return false, fmt.Errorf("read %s: %w", p, err)
	}
	defer fh.Close()
	if err := parse(fh); err != nil {
		var pe *ParseError
		if errors.As(err, &pe) {
			pe.File = p
			return false, pe
		}
		return false, fmt.Errorf("read %s: %w", p, err)
	}
	return true, nil
}

func reason(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "not present"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	}
	return err.Error()
}
