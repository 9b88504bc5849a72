package audit

import (
	"cmp"
	"net/netip"
	"slices"
	"time"
)

// SocketInfo is one CLOSE_WAIT socket with what tcp_info says of it.
type SocketInfo struct {
	Local, Remote netip.AddrPort
	Inode         uint64
	// RecvQ is the data received and not read by the application. The
	// kernel's receive queue (rcv_nxt - copied_seq) also counts the peer's
	// FIN, one sequence number, until the application reads the end of
	// the stream; RecvQ leaves it out.
	RecvQ uint32
	// EOFUnread is set while the application has not read the end of the
	// stream (the FIN is still in the receive queue).
	EOFUnread bool
	// Idle is the time since data last arrived (tcpi_last_data_recv): for
	// a CLOSE_WAIT socket, at least the time since the peer's FIN.
	Idle time.Duration
}

// maxSocketInfo bounds the sockets WithSocketInfo keeps: the oldest ones.
const maxSocketInfo = 4096

// WithSocketInfo keeps the CLOSE_WAIT sockets with their tcp_info (a
// netlink census asks the kernel for INET_DIAG_INFO); see SocketInfos.
// /proc/net/tcp has no tcp_info: a /proc census keeps none.
func WithSocketInfo() CensusOption {
	return func(c *Census) { c.info = true }
}

func (c *Census) addInfo(s *Socket) {
	c.idle = append(c.idle, SocketInfo{
		Local:  netip.AddrPortFrom(s.Local.Unmap(), s.LocalPort),
		Remote: netip.AddrPortFrom(s.Remote.Unmap(), s.RemotePort),
		Inode:  s.Inode, RecvQ: max(s.RxQueue, 1) - 1, EOFUnread: s.RxQueue > 0,
		Idle: time.Duration(s.IdleMs) * time.Millisecond,
	})
	if len(c.idle) >= 2*maxSocketInfo {
		c.idle = oldestFirst(c.idle)[:maxSocketInfo]
	}
}

// SocketInfos returns the CLOSE_WAIT sockets kept by WithSocketInfo, the
// longest idle first, at most 4096.
func (c *Census) SocketInfos() []SocketInfo {
	out := oldestFirst(slices.Clone(c.idle))
	return out[:min(len(out), maxSocketInfo)]
}

func oldestFirst(s []SocketInfo) []SocketInfo {
	slices.SortFunc(s, func(a, b SocketInfo) int { return cmp.Or(cmp.Compare(b.Idle, a.Idle), cmp.Compare(a.Inode, b.Inode)) })
	return s
}

// gatherSocketInfo reads tcp_info of the CLOSE_WAIT sockets over netlink,
// when the census came from netlink and found some; a failure leaves
// Facts.CloseWaitInfo nil.
func (fsys FS) gatherSocketInfo(f *Facts) {
	if f.Census == nil || f.CensusSource != CensusNetlink || f.Census.Count(CloseWait) == 0 {
		return
	}
	if fsys.scope != nil { // the census dump asked for tcp_info (InScope)
		f.CloseWaitInfo = f.Census.SocketInfos()
		return
	}
	c := NewCensus(1, 0, WithoutCloseWait(), WithSocketInfo(), OnlyStates(StatesOf(CloseWait)))
	if err := NetlinkCensus(c, c.Filter()); err != nil {
		return
	}
	f.CloseWaitInfo = c.SocketInfos()
}
