package audit

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
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

// NetlinkCensus opens a sock_diag socket, adds the sockets in states to c
// with one walk of the kernel's table per pass for both families (see
// Netlink.CensusOneWalk) and closes it. A census that asks tcp_info of
// its CLOSE_WAIT sockets only opens a second socket, in the same network
// namespace (this goroutine's thread), and dumps them on it while the
// other states are dumped: on two cores the two walks cost the time of
// the longer.
func NetlinkCensus(c *Census, states StateSet) error {
	n, err := OpenNetlink()
	if err != nil {
		return err
	}
	defer n.Close()
	if c.cwInfo && !c.info {
		if twin, err := OpenNetlink(); err == nil {
			defer twin.Close()
			n.twin = twin
		}
	}
	return n.CensusOneWalk(c, states)
}

// CensusInfo says how a census was taken.
type CensusInfo struct {
	// Source is the source the sockets came from.
	Source CensusSource
	// Note says why auto fell back from netlink to /proc, when it did, or
	// that a namespace of several had no socket to dump (NoSocketsNote).
	Note string
	// Missing holds net/tcp or net/tcp6 when the /proc source found it
	// absent, with the open error; the census then counts the other file.
	Missing map[Source]error
	// Pass is set when the sockets came from the socket pass (Scope.Pass)
	// rather than a netlink dump: the same fields, without a walk.
	Pass bool
}

// Census adds the sockets to c, which the caller made with NewCensus, over
// netlink or from net/tcp and net/tcp6 as src selects, falling back from
// netlink to /proc when auto chose netlink and the kernel refused it. A
// netlink census asks the kernel for the states c counts only. When
// neither net/tcp nor net/tcp6 exists the error wraps fs.ErrNotExist (and
// the info names both).
func (fsys FS) Census(c *Census, src CensusSource) (CensusInfo, error) {
	first, err := src.resolve(fsys.root)
	if err != nil {
		return CensusInfo{}, err
	}
	info := CensusInfo{Source: first}
	if first == CensusNetlink && fsys.scope != nil && fsys.noTCPSockets() {
		info.Note = NoSocketsNote // a walk of every namespace's sockets spared
		return info, nil
	}
	if p := fsys.passUsed(); first == CensusNetlink && p != nil {
		p.replay(c)
		info.Note, info.Pass = PassNote, true
		return info, nil
	}
	if first == CensusNetlink {
		err := NetlinkCensus(c, c.dumped())
		if err == nil || src == CensusNetlink || !errors.Is(err, ErrNetlink) {
			return info, err
		}
		info.Note = fmt.Sprintf("socket census read from /proc/net/tcp and tcp6 because netlink was refused: %v", err)
		info.Source = CensusProc
		c.reset() // the dump may have failed half-way
	}
	info.Missing, err = fsys.procFiles(c)
	if err == nil && len(info.Missing) == 2 {
		err = noSocketFilesError{procRoot: fsys.root}
	}
	return info, err
}

// noSocketFilesError is a proc root with neither net/tcp nor net/tcp6.
type noSocketFilesError struct{ procRoot string }

func (e noSocketFilesError) Error() string {
	return fmt.Sprintf("proc root %s: neither net/tcp nor net/tcp6 exists", e.procRoot)
}

func (e noSocketFilesError) Unwrap() error { return fs.ErrNotExist }

// procFiles adds net/tcp and net/tcp6 to c and returns those missing.
func (fsys FS) procFiles(c *Census) (map[Source]error, error) {
	var missing map[Source]error
	for _, src := range []Source{SourceTCP, SourceTCP6} {
		err := fsys.parse(src, func(fh *os.File) error { return ParseTCP(fh, src == SourceTCP6, c) })
		if errors.Is(err, fs.ErrNotExist) {
			if missing == nil {
				missing = make(map[Source]error)
			}
			missing[src] = err
		} else if err != nil {
			return nil, err
		}
	}
	return missing, nil
}

// StillCloseWait removes from l the inodes no longer in CLOSE_WAIT,
// reading with the source the first census used: netlink filters them in
// the kernel, /proc is read whole. It keeps nothing but a bit an inode.
func (fsys FS) StillCloseWait(src CensusSource, l *InodeList) error {
	if l.Len() == 0 {
		return nil
	}
	_, err := fsys.stillCloseWait(src, l, false)
	return err
}

// stillCloseWait is StillCloseWait returning its census, which keeps the
// CLOSE_WAIT sockets with their tcp_info (WithSocketInfo) when info is set.
func (fsys FS) stillCloseWait(src CensusSource, l *InodeList, info bool) (*Census, error) {
	opts := []CensusOption{WithoutCloseWait(), OnlyStates(StatesOf(CloseWait))}
	if info {
		opts = append(opts, WithSocketInfo())
	}
	c := NewCensus(1, 0, opts...)
	if l != nil {
		c.still = newStillSet(l)
	}
	var err error
	if src == CensusNetlink {
		err = NetlinkCensus(c, c.Filter())
	} else {
		_, err = fsys.procFiles(c)
	}
	if err != nil {
		return nil, err
	}
	if c.still != nil {
		c.still.keep()
	}
	return c, nil
}
