package sockets

import (
	"errors"
	"io/fs"

	"github.com/tcpaudit/tcpaudit/audit"
)

// Conntrack is the conntrack line of the view: the table's totals and,
// when net/nf_conntrack exists, its TCP entries by conntrack state.
type Conntrack struct {
	Count int64
	Max   int64
	// TCPStates is nil when net/nf_conntrack could not be read.
	TCPStates map[string]int64
}

// conntrack reads the conntrack line; nil when conntrack is not in use.
func conntrack(fsys audit.FS) (*Conntrack, error) {
	ct, err := fsys.Conntrack()
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	out := &Conntrack{}
	out.Count, _ = ct.Get(audit.KeyConntrackCount)
	out.Max, _ = ct.Get(audit.KeyConntrackMax)
	states, err := fsys.ConntrackTable()
	if err != nil && !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, fs.ErrPermission) {
		return nil, err
	}
	out.TCPStates = states
	return out, nil
}
