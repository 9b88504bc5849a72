package sockgen

import (
	"net/netip"
)

// MaxDescriptors is the number of descriptors one child may hold, below
// a 20000 open-files limit with room for the runtime's own.
const MaxDescriptors = 18000

// Split divides a plan between child processes so that none holds more
// than MaxDescriptors descriptors, with at least least children (TIME_WAIT
// sockets hold none but are made faster in parallel).
func Split(p Plan, least int) []Plan {
	held := p.Established + p.Established%2 + 2*p.CloseWait + p.FullQueue
	n := max(least, 1, (held+MaxDescriptors-1)/MaxDescriptors)
	parts := make([]Plan, n)
	for i := range parts {
		parts[i] = Plan{
			Established: 2 * share(p.Established/2+p.Established%2, n, i),
			TimeWait:    share(p.TimeWait, n, i),
			CloseWait:   share(p.CloseWait, n, i),
			FullQueue:   share(p.FullQueue, n, i),
		}
	}
	return parts
}

// share is child i's part of total split n ways.
func share(total, n, i int) int {
	s := total / n
	if i < total%n {
		s++
	}
	return s
}

// ChildAddrs returns the listener port and destination addresses of child
// i: port 1000+i (outside the ephemeral range) and dsts addresses
// 127.x.y.z, distinct per child, so that each (source, destination, port)
// tuple carries few connections.
func ChildAddrs(i, dsts int) ([]uint16, []netip.Addr) {
	addrs := make([]netip.Addr, dsts)
	for k := range addrs {
		n := i*dsts + k + 1
		addrs[k] = netip.AddrFrom4([4]byte{127, byte(1 + n>>16), byte(n >> 8), byte(n)})
	}
	return []uint16{uint16(1000 + i)}, addrs
}
