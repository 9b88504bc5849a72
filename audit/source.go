package audit

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"
)

// CensusSource selects where the socket census comes from.
type CensusSource string

// Census sources. Auto takes the census over netlink on a live host (proc
// root /proc) and from the /proc files otherwise or when netlink is
// refused.
const (
	CensusAuto    CensusSource = "auto"
	CensusNetlink CensusSource = "netlink"
	CensusProc    CensusSource = "proc"
)

// ErrUsage marks options that cannot work together.
var ErrUsage = errors.New("invalid options")

// ParseCensusSource accepts auto, netlink or proc; "" means auto.
func ParseCensusSource(s string) (CensusSource, error) {
	switch CensusSource(s) {
	case "", CensusAuto:
		return CensusAuto, nil
	case CensusNetlink, CensusProc:
		return CensusSource(s), nil
	}
	return "", fmt.Errorf("%w: census source %q: want auto, netlink or proc", ErrUsage, s)
}

// IsLive reports whether a proc root is this host's /proc, the only root
// netlink can stand for (it sees the caller's network namespace, as
// /proc/net/tcp does).
func IsLive(procRoot string) bool { return filepath.Clean(procRoot) == "/proc" }

// resolve picks the source to try first for a proc root.
func (s CensusSource) resolve(procRoot string) (CensusSource, error) {
	switch {
	case s == CensusNetlink && !IsLive(procRoot):
		return "", fmt.Errorf("%w: the netlink census reads the live host; with proc root %s use the proc source", ErrUsage, procRoot)
	case s == CensusAuto || s == "":
		if IsLive(procRoot) {
			return CensusNetlink, nil
		}
		return CensusProc, nil
	}
	return s, nil
}

// readCensus takes the census with the source o.Census selects, recording
// in Facts which source was used and, when auto fell back from netlink to
// /proc, why. A proc root with neither net/tcp nor net/tcp6 leaves Census
// nil (both recorded as missing).
func (f *Facts) readCensus(o Options) error {
	start := time.Now()
	c := NewCensus(f.portRange())
	src, note, err := f.takeCensus(CensusOptions{ProcRoot: o.ProcRoot, Source: o.Census}, c)
	if err != nil && src == CensusNetlink {
		return fmt.Errorf("socket census: %w", err)
	}
	if err != nil {
		return err
	}
	f.CensusSource, f.CensusNote, f.CensusTime = src, note, time.Since(start)
	if src == CensusNetlink || !f.noTCPFiles() {
		f.Census = c
	}
	return nil
}

// noTCPFiles reports whether both net/tcp and net/tcp6 were missing.
func (f *Facts) noTCPFiles() bool {
	_, v4 := f.Missing[SourceTCP]
	_, v6 := f.Missing[SourceTCP6]
	return v4 && v6
}

// NetlinkCensus opens a sock_diag socket, adds the sockets in states to c
// and closes it.
func NetlinkCensus(c *Census, states StateSet) error {
	n, err := OpenNetlink()
	if err != nil {
		return err
	}
	defer n.Close()
	return n.Census(c, states)
}

// CensusOptions say how TakeCensus reads the sockets.
type CensusOptions struct {
	ProcRoot string
	Source   CensusSource
	// States limits a netlink census to these states (kernel-side
	// filter); 0 means all. The /proc source always reads every socket.
	States StateSet
}

// TakeCensus adds the sockets under o.ProcRoot to c, which the caller made
// with NewCensus and any optional aggregates. It returns the source used
// and, when auto fell back from netlink to /proc, why.
func TakeCensus(o CensusOptions, c *Census) (CensusSource, string, error) {
	f := &Facts{ProcRoot: o.ProcRoot, Missing: make(map[Source]string)}
	src, note, err := f.takeCensus(o, c)
	if err != nil {
		return src, "", err
	}
	if src == CensusProc && f.noTCPFiles() {
		return "", "", fmt.Errorf("proc root %s: neither net/tcp nor net/tcp6 exists", o.ProcRoot)
	}
	return src, note, nil
}

// takeCensus adds the sockets to c over netlink or from the /proc files
// (recording missing ones in f.Missing), falling back from netlink to
// /proc when auto chose netlink and the kernel refused it.
func (f *Facts) takeCensus(o CensusOptions, c *Census) (CensusSource, string, error) {
	src, err := o.Source.resolve(o.ProcRoot)
	if err != nil {
		return "", "", err
	}
	note := ""
	if src == CensusNetlink {
		states := o.States
		if states == 0 {
			states = AllStates
		}
		err := NetlinkCensus(c, states)
		if err == nil {
			return CensusNetlink, "", nil
		}
		if o.Source == CensusNetlink || !errors.Is(err, ErrNetlink) {
			return CensusNetlink, "", err
		}
		note = fmt.Sprintf("socket census read from /proc/net/tcp and tcp6 because netlink was refused: %v", err)
		c.reset() // the dump may have failed half-way
	}
	return CensusProc, note, f.procFiles(c)
}

// ReadPortRange reads net.ipv4.ip_local_port_range under a proc root.
func ReadPortRange(procRoot string) (uint16, uint16, error) {
	p := filepath.Join(procRoot, "sys/net/ipv4/ip_local_port_range")
	b, err := readSmall(p)
	if err != nil {
		return 0, 0, fmt.Errorf("sysctl %s: %w", PortRangeKey, err)
	}
	var lo, hi uint16
	if _, err := fmt.Sscan(string(b), &lo, &hi); err != nil || lo == 0 || lo > hi {
		return 0, 0, &ParseError{File: p, Line: 1, Err: malformed("want two ports, low then high, got %q", strings.TrimSpace(string(b)))}
	}
	return lo, hi, nil
}
