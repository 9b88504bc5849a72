package audit

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"
)

// Options says what Gather reads.
type Options struct {
	// ProcRoot is the directory that mirrors /proc.
	ProcRoot string
	// Keys are the sysctls to read, dotted ("net.ipv4.tcp_fin_timeout").
	Keys []string
	// Census selects the census source; "" means auto.
	Census CensusSource
	// Scope narrows the reading to one namespace of several (see
	// FS.InScope); nil reads the proc root whole.
	Scope *Scope
	// Attribution says how processes are read; "" means auto.
	Attribution AttributionMode
}

// PortRangeKey is read by every census: it sets the ephemeral aggregate.
const PortRangeKey = "net.ipv4.ip_local_port_range"

// Gather reads the facts under o.ProcRoot. A missing source is recorded in
// the Facts (NotRead says why); a file that exists but cannot be parsed is
// an error naming the file and line.
func Gather(o Options) (*Facts, error) {
	fsys, err := NewFS(o.ProcRoot)
	if err != nil {
		return nil, err
	}
	return o.reader(fsys).Gather(o.Keys, o.Census)
}

// Gather reads every source under the root: the sysctl keys (and the
// per-interface conf values they name), the socket census from src, the
// statistics and, when there are CLOSE_WAIT sockets, their owners. The
// BPF iterator the owners are read with is loaded before the census.
func (fsys FS) Gather(keys []string, src CensusSource) (*Facts, error) {
	fsys.files = newProcFiles(fsys.root)
	defer fsys.files.close()
	f := &Facts{ProcRoot: fsys.root}
	if err := fsys.gatherRelease(f); err != nil {
		return nil, err
	}
	var err error
	if f.Sysctls, f.Absent, err = fsys.Sysctls(append([]string{PortRangeKey}, keys...)); err != nil {
		return nil, err
	}
	if f.Conf, err = fsys.Conf(keys); err != nil {
		return nil, err
	}
	sc := fsys.scanner(0) // the states are known after the census
	defer sc.close()
	sc.preload()
	if err := sc.unavailable(); err != nil {
		return nil, err
	}
	if err := fsys.gatherCensus(f, src); err != nil {
		return nil, err
	}
	if err := fsys.gatherStats(f); err != nil {
		return nil, err
	}
	if err := fsys.gatherConntrack(f); err != nil {
		return nil, err
	}
	if len(f.Sysctls) == 0 && f.Census == nil && len(f.Sockstat) == 0 && len(f.Counters) == 0 {
		return nil, fmt.Errorf("proc root %s: no sysctls and none of net/tcp, net/tcp6, net/sockstat, net/netstat, net/snmp: not a proc tree", fsys.root)
	}
	fsys.gatherSocketInfo(f)
	fsys.gatherOwners(f, sc)
	return f, nil
}

// gatherRelease reads the kernel release; any failure but a hostile file
// leaves it unknown and recorded as not read.
func (fsys FS) gatherRelease(f *Facts) error {
	k, err := fsys.Release()
	if hostile(err) {
		return err
	}
	if err != nil {
		f.record(SourceRelease, false, reason(err))
		return nil
	}
	f.Kernel = k
	f.record(SourceRelease, true, "")
	return nil
}

// gatherCensus takes the census with the source src selects, recording
// which source was used and, when auto fell back from netlink to /proc,
// why. A proc root with neither net/tcp nor net/tcp6 leaves Census nil
// (both recorded as not read).
func (fsys FS) gatherCensus(f *Facts, src CensusSource) error {
	start := time.Now()
	opts := []CensusOption{closeWaitInfo()}
	if fsys.scope != nil { // one walk of the table: tcp_info in it (InScope)
		opts = append(opts, WithSocketInfo(), Small())
	} else { // joined in two bits a socket (ownersCompact)
		opts = append(opts, compactCloseWait())
	}
	lo, hi := f.portRange()
	c := NewCensus(lo, hi, opts...)
	info, err := fsys.Census(c, src)
	switch {
	case err != nil && info.Source == CensusNetlink:
		return fmt.Errorf("socket census: %w", err)
	case err != nil && !(errors.Is(err, fs.ErrNotExist) && len(info.Missing) == 2):
		return err
	}
	f.CensusSource, f.CensusNote, f.CensusTime = info.Source, info.Note, time.Since(start)
	f.CensusPass = info.Pass
	if info.Source == CensusProc {
		f.recordFiles([]Source{SourceTCP, SourceTCP6}, info.Missing)
	}
	if err == nil {
		f.Census = c
		f.record(SourceSockets, true, "")
	}
	return nil
}

// gatherStats reads sockstat and the counters.
func (fsys FS) gatherStats(f *Facts) error {
	var err error
	f.Sockstat, err = fsys.Sockstat()
	if err := f.recordRead([]Source{SourceSockstat, SourceSockstat6}, err); err != nil {
		return err
	}
	f.Counters, err = fsys.Counters()
	return f.recordRead([]Source{SourceNetstat, SourceSNMP}, err)
}

// gatherConntrack reads the connection-tracking table; a namespace without
// conntrack records the source as not read, with that reason.
func (fsys FS) gatherConntrack(f *Facts) error {
	c, err := fsys.Conntrack()
	if errors.Is(err, fs.ErrNotExist) {
		why := strings.TrimSuffix(err.Error(), ": "+fs.ErrNotExist.Error())
		if !errors.Is(err, errConntrackUnused) {
			why = "not present: " + why
		}
		f.record(SourceConntrack, false, why)
		return nil
	}
	if err != nil {
		return err
	}
	f.Conntrack = c
	f.record(SourceConntrack, true, "")
	return nil
}

// recordRead records files as read, or as not read when err is a
// *MissingError naming them; any other error is returned.
func (f *Facts) recordRead(files []Source, err error) error {
	var me *MissingError
	if err != nil && !errors.As(err, &me) {
		return err
	}
	var missing map[Source]error
	if me != nil {
		missing = me.Sources
	}
	f.recordFiles(files, missing)
	return nil
}

// recordFiles records files as read unless missing holds them.
func (f *Facts) recordFiles(files []Source, missing map[Source]error) {
	for _, s := range files {
		if cause, ok := missing[s]; ok {
			f.record(s, false, reason(cause))
		} else {
			f.record(s, true, "")
		}
	}
}

// portRange returns the ephemeral range, or an empty range if unknown.
func (f *Facts) portRange() (uint16, uint16) {
	r, err := f.SysctlInts(PortRangeKey)
	if err != nil || len(r) != 2 || r[0] < 1 || r[1] > 65535 || r[0] > r[1] {
		return 1, 0
	}
	return uint16(r[0]), uint16(r[1])
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

// reader returns fsys with o's attribution mode, narrowed to o.Scope when set.
func (o Options) reader(fsys FS) FS {
	fsys = fsys.WithAttribution(o.Attribution)
	if o.Scope == nil {
		return fsys
	}
	return fsys.InScope(*o.Scope)
}
