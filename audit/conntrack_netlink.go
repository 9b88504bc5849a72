package audit

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// ErrConntrackNetlink marks a failure of the ctnetlink dump itself (the
// kernel refused the socket or the request), as opposed to a malformed
// message.
var ErrConntrackNetlink = errors.New("netlink conntrack dump")

// Values of the ctnetlink ABI (include/uapi/linux/netfilter/nfnetlink.h,
// nfnetlink_conntrack.h): a dump request is IPCTNL_MSG_CT_GET of subsystem
// NFNL_SUBSYS_CTNETLINK; each entry comes back as IPCTNL_MSG_CT_NEW with a
// struct nfgenmsg and attributes, CTA_PROTOINFO nesting CTA_PROTOINFO_TCP
// nesting CTA_PROTOINFO_TCP_STATE (a u8 of enum tcp_conntrack).
const (
	nfnlSubsysCTNetlink  = 1
	ipctnlMsgCTNew       = 0
	ipctnlMsgCTGet       = 1
	nfgenMsgLen          = 4
	ctaProtoinfo         = 4
	ctaProtoinfoTCP      = 1
	ctaProtoinfoTCPState = 1
	nlaTypeMask          = 0x3fff // strips NLA_F_NESTED and NLA_F_NET_BYTEORDER
)

// conntrackTCPNames are the names of enum tcp_conntrack
// (include/uapi/linux/netfilter/nf_conntrack_tcp.h) as net/nf_conntrack
// prints them (tcp_conntrack_names[] in nf_conntrack_proto_tcp.c).
var conntrackTCPNames = [...]string{"NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT",
	"CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE", "SYN_SENT2"}

// ConntrackTCPStateName returns the name net/nf_conntrack prints for a
// conntrack TCP state number ("ESTABLISHED" for 3).
func ConntrackTCPStateName(n uint8) string {
	if int(n) < len(conntrackTCPNames) {
		return conntrackTCPNames[n]
	}
	return fmt.Sprintf("STATE_%d", n)
}

// conntrackMessages walks the netlink messages of one datagram of a
// ctnetlink dump with sequence number seq, counting TCP entries by state
// into states. It returns true at the end of the dump.
func conntrackMessages(b []byte, seq uint32, states map[string]int64) (bool, error) {
	ne := binary.NativeEndian
	for len(b) >= nlmsgHdrLen {
		l := int(ne.Uint32(b[0:]))
		if l < nlmsgHdrLen || l > len(b) {
			return false, fmt.Errorf("%w: netlink message length %d in a %d-byte datagram", ErrMalformed, l, len(b))
		}
		typ, mseq := ne.Uint16(b[4:]), ne.Uint32(b[8:])
		body := b[nlmsgHdrLen:l]
		b = b[min(nlmsgAlign(l), len(b)):]
		if mseq != seq {
			continue
		}
		switch typ {
		case nlmsgDone:
			return true, nil
		case nlmsgError:
			return true, conntrackNetlinkError(body)
		case nfnlSubsysCTNetlink<<8 | ipctnlMsgCTNew:
			if len(body) < nfgenMsgLen {
				return false, fmt.Errorf("%w: conntrack message of %d bytes", ErrMalformed, len(body))
			}
			if st, ok := conntrackTCPState(body[nfgenMsgLen:]); ok {
				states[ConntrackTCPStateName(st)]++
			}
		}
	}
	return false, nil
}

// conntrackTCPState finds CTA_PROTOINFO → CTA_PROTOINFO_TCP →
// CTA_PROTOINFO_TCP_STATE in the attributes of one entry; false when the
// entry is not TCP.
func conntrackTCPState(attrs []byte) (uint8, bool) {
	path := []uint16{ctaProtoinfo, ctaProtoinfoTCP, ctaProtoinfoTCPState}
	for depth := 0; depth < len(path); depth++ {
		v, ok := findAttr(attrs, path[depth])
		if !ok {
			return 0, false
		}
		attrs = v
	}
	if len(attrs) < 1 {
		return 0, false
	}
	return attrs[0], true
}

// findAttr returns the payload of the first netlink attribute of type typ.
func findAttr(b []byte, typ uint16) ([]byte, bool) {
	ne := binary.NativeEndian
	for len(b) >= 4 {
		l, t := int(ne.Uint16(b[0:])), ne.Uint16(b[2:])&nlaTypeMask
		if l < 4 || l > len(b) {
			return nil, false
		}
		if t == typ {
			return b[4:l], true
		}
		b = b[min(nlmsgAlign(l), len(b)):]
	}
	return nil, false
}

// conntrackNetlinkError decodes the errno of an NLMSG_ERROR message.
func conntrackNetlinkError(body []byte) error {
	if len(body) < 4 {
		return fmt.Errorf("%w: short error message", ErrConntrackNetlink)
	}
	errno := -int32(binary.NativeEndian.Uint32(body))
	if errno == 0 {
		return nil
	}
	return fmt.Errorf("%w: dump refused: %w", ErrConntrackNetlink, errnoError(errno))
}
