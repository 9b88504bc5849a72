package watch

import (
	"context"
	"fmt"
	"math"
	"net/netip"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/netns"
)

// AttributeAll is Attribute for self, the caller's namespace, and then,
// when other namespaces hold such sockets, for each of them from a thread
// inside it, since the census that maps a socket to its inode sees the
// namespace it runs in. discover lists the namespaces (called only when
// needed); one gone by then leaves its sockets unnamed.
func AttributeAll(ctx context.Context, procRoot string, self uint32, live []Live, discover func() ([]netns.Namespace, error)) error {
	if err := Attribute(procRoot, self, live); err != nil {
		return err
	}
	others := map[uint32]bool{}
	for _, l := range live {
		if l.PID == 0 && l.State == audit.CloseWait && l.Netns != self {
			others[l.Netns] = true
		}
	}
	if len(others) == 0 {
		return nil
	}
	nss, err := discover()
	if err != nil {
		return err
	}
	for _, ns := range nss {
		if ns.Inode > math.MaxUint32 || !others[uint32(ns.Inode)] || ctx.Err() != nil {
			continue
		}
		err := netns.Do(ns, func() error { return Attribute("/proc", uint32(ns.Inode), live) })
		if _, err := netns.SkipReason(err); err != nil {
			return fmt.Errorf("namespace %s: %w", ns, err)
		}
	}
	return nil
}

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
