package audit

import (
	"encoding/binary"
	"net/netip"
)

// inet_diag bytecode (include/uapi/linux/inet_diag.h): a request may carry
// an INET_DIAG_REQ_BYTECODE attribute, a program of inet_diag_bc_op
// {code u8, yes u8, no u16} ops the kernel runs on every socket before it
// builds a message; a socket is sent when the program ends exactly at its
// end (docs/kernel-facts.md §30).
const (
	diagReqBytecode = 1 // INET_DIAG_REQ_BYTECODE
	bcJmp           = 1 // INET_DIAG_BC_JMP: always takes no
	bcSCond         = 7 // INET_DIAG_BC_S_COND: source address/port
	bcDCond         = 8 // INET_DIAG_BC_D_COND: destination address/port
	bcOpLen         = 4
)

// flowFilter returns a program that accepts the sockets of any of flows
// (local address, remote address and port; IPv4 conditions also match
// IPv4-mapped IPv6 sockets), nil for none or for more than the 16-bit
// jumps can span. Each flow is a block [D_COND, S_COND, JMP]: a failed
// condition goes to the next block (past the end, rejected, after the
// last), and the JMP that follows both goes to the end, accepted.
func flowFilter(flows []Flow) []byte {
	var blocks [][]byte
	size := 0
	for _, fl := range flows {
		d := hostCond(bcDCond, fl.Remote.Unmap(), int32(fl.RemotePort))
		s := hostCond(bcSCond, fl.Local.Unmap(), -1)
		b := append(append(d, s...), bcJmp, bcOpLen, 0, 0)
		blocks = append(blocks, b)
		size += len(b)
	}
	if size == 0 || size+bcOpLen > 0xffff {
		return nil
	}
	ne := binary.NativeEndian
	prog := make([]byte, 0, size)
	for _, b := range blocks {
		at, dLen := len(prog), int(b[1])
		next := at + len(b) // the next block, or past the end after the last
		if next == size {
			next = size + bcOpLen
		}
		ne.PutUint16(b[2:], uint16(next-at))
		ne.PutUint16(b[dLen+2:], uint16(next-at-dLen))
		ne.PutUint16(b[len(b)-2:], uint16(size-(at+len(b)-bcOpLen)))
		prog = append(prog, b...)
	}
	return prog
}

// hostCond is one S_COND or D_COND op: the whole address (prefix as long
// as the address) and the port, -1 for any.
func hostCond(code uint8, addr netip.Addr, port int32) []byte {
	family, raw := uint8(afInet6), addr.AsSlice()
	if addr.Is4() {
		family = afInet
	}
	size := bcOpLen + 8 + len(raw) // op, inet_diag_hostcond {family, prefix_len, port}, address
	op := make([]byte, size)
	op[0], op[1] = code, uint8(size)
	op[4], op[5] = family, uint8(8*len(raw))
	binary.NativeEndian.PutUint32(op[8:], uint32(port))
	copy(op[12:], raw)
	return op
}

// withBytecode returns the request req followed by an
// INET_DIAG_REQ_BYTECODE attribute holding prog; req itself when prog is
// nil.
func withBytecode(req, prog []byte) []byte {
	if prog == nil {
		return req
	}
	out := make([]byte, len(req), len(req)+4+len(prog))
	copy(out, req)
	attr := [4]byte{}
	binary.NativeEndian.PutUint16(attr[0:], uint16(4+len(prog)))
	binary.NativeEndian.PutUint16(attr[2:], diagReqBytecode)
	return append(append(out, attr[:]...), prog...)
}
