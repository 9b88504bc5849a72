package watch

import (
	"net/netip"
	"strings"
)

// Address families of the kernel (include/linux/socket.h).
const (
	afInet  = 2
	afInet6 = 10
)

// endpoint makes an address and port from a kernel family and address
// bytes (IPv4 in the first four), IPv4-mapped addresses unmapped.
func endpoint(family uint8, addr [16]uint8, port uint16) netip.AddrPort {
	var a netip.Addr
	switch family {
	case afInet:
		a = netip.AddrFrom4([4]byte(addr[:4]))
	case afInet6:
		a = netip.AddrFrom16(addr).Unmap()
	default:
		return netip.AddrPort{}
	}
	return netip.AddrPortFrom(a, port)
}

// comm is a task's command name from its NUL-padded bytes.
func comm(b [16]int8) string {
	var s strings.Builder
	for _, c := range b {
		if c == 0 {
			break
		}
		s.WriteByte(byte(c))
	}
	return s.String()
}
