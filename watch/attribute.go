package watch

import (
	"fmt"
	"net/netip"

	"github.com/tcpaudit/tcpaudit/audit"
)

// Attribute names the process holding each live CLOSE_WAIT socket of
// procRoot's network namespace that no process moved while watched (PID
// 0): an accepted socket whose listener was opened before the tracer,
// moved only by packets since. It joins the socket census (tuple to inode,
// over sock_diag) with the descriptor scan of /proc/PID/fd, as `sockets`
// does. Sockets of other namespaces stay unattributed.
func Attribute(procRoot string, netns uint32, live []Live) error {
	want := map[[2]netip.AddrPort]int{}
	for i, l := range live {
		if l.PID == 0 && l.State == audit.CloseWait && l.Netns == netns {
			want[[2]netip.AddrPort{l.Local, l.Remote}] = i
		}
	}
	if len(want) == 0 {
		return nil
	}
	fsys, err := audit.NewFS(procRoot)
	if err != nil {
		return err
	}
	c := audit.NewCensus(1, 0, audit.OnlyStates(audit.StatesOf(audit.CloseWait)), audit.WithSocketInfo())
	if _, err := fsys.Census(c, audit.CensusAuto); err != nil {
		return fmt.Errorf("attribute CLOSE_WAIT sockets: %w", err)
	}
	inodes := map[uint64]struct{}{}
	at := map[uint64]int{}
	for _, s := range c.SocketInfos() {
		if i, ok := want[[2]netip.AddrPort{s.Local, s.Remote}]; ok && s.Inode != 0 {
			inodes[s.Inode], at[s.Inode] = struct{}{}, i
		}
	}
	a, err := fsys.Owners(inodes)
	if err != nil {
		return fmt.Errorf("attribute CLOSE_WAIT sockets: %w", err)
	}
	for ino, i := range at {
		if h, ok := a.Holder(ino); ok {
			live[i].Owner = Owner{PID: h.PID, Command: h.Command}
		}
	}
	return nil
}
