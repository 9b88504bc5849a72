package sockets

import (
	"errors"
	"io/fs"

	"github.com/tcpaudit/tcpaudit/audit"
)

// Conntrack is the conntrack line of the view: the table's totals and,
// when net/nf_conntrack or the ctnetlink dump could be read, its TCP
// entries by conntrack state.
type Conntrack struct {
	Count int64
	Max   int64
	// TCPStates is nil when neither net/nf_conntrack nor the ctnetlink
	// dump could be read.
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
	states, _, err := fsys.ConntrackTCP()
	switch {
	case err == nil:
		out.TCPStates = states
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, fs.ErrPermission), errors.Is(err, audit.ErrConntrackNetlink):
	default:
		return nil, err
	}
	return out, nil
}
