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

// closeWaitInfo keeps the CLOSE_WAIT sockets with their tcp_info, as
// WithSocketInfo does, but asks the kernel for tcp_info of those sockets
// only: a netlink census dumps them in a pass of their own.
func closeWaitInfo() CensusOption {
	return func(c *Census) { c.cwInfo = true }
}

// addInfo keeps s when it is among the maxSocketInfo longest idle: c.idle
// is a heap whose root is the most recent of those kept.
func (c *Census) addInfo(s *Socket) {
	si := SocketInfo{
		Local:  netip.AddrPortFrom(s.Local.Unmap(), s.LocalPort),
		Remote: netip.AddrPortFrom(s.Remote.Unmap(), s.RemotePort),
		Inode:  s.Inode, RecvQ: max(s.RxQueue, 1) - 1, EOFUnread: s.RxQueue > 0,
		Idle: time.Duration(s.IdleMs) * time.Millisecond,
	}
	h := c.idle
	if h == nil && !c.small {
		h = make([]SocketInfo, 0, maxSocketInfo) // the bound at once: see inodeHeap.add
	}
	if len(h) < maxSocketInfo {
		h = append(h, si)
		for i := len(h) - 1; i > 0 && older(h[(i-1)/2], h[i]); i = (i - 1) / 2 {
			h[i], h[(i-1)/2] = h[(i-1)/2], h[i]
		}
		c.idle = h
		return
	}
	if !older(si, h[0]) {
		return
	}
	h[0] = si
	for i := 0; ; {
		l, m := 2*i+1, i
		if l < len(h) && older(h[m], h[l]) {
			m = l
		}
		if r := l + 1; r < len(h) && older(h[m], h[r]) {
			m = r
		}
		if m == i {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}

// older orders the sockets by idle time, longest first, then by inode.
func older(a, b SocketInfo) bool {
	return cmp.Or(cmp.Compare(b.Idle, a.Idle), cmp.Compare(a.Inode, b.Inode)) < 0
}

// SocketInfos returns the CLOSE_WAIT sockets kept by WithSocketInfo, the
// longest idle first, at most 4096.
func (c *Census) SocketInfos() []SocketInfo {
	return oldestFirst(slices.Clone(c.idle))
}

func oldestFirst(s []SocketInfo) []SocketInfo {
	slices.SortFunc(s, func(a, b SocketInfo) int { return cmp.Or(cmp.Compare(b.Idle, a.Idle), cmp.Compare(a.Inode, b.Inode)) })
	return s
}

// gatherSocketInfo takes the CLOSE_WAIT sockets with tcp_info from the
// census, when it came from netlink (which asked for tcp_info).
func (fsys FS) gatherSocketInfo(f *Facts) {
	if f.Census == nil || f.CensusSource != CensusNetlink || f.Census.Count(CloseWait) == 0 {
		return
	}
	// The census is complete: its heap is sorted and handed over rather
	// than copied (4,096 sockets, 352 KB).
	f.CloseWaitInfo, f.Census.idle = oldestFirst(f.Census.idle), nil
}
