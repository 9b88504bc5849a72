//go:build linux && !tcpaudit_portable

package audit

import (
	"encoding/binary"
	"fmt"

	"golang.org/x/sys/unix"
)

// NetlinkConntrackTCP dumps the conntrack table of the calling process's
// network namespace over NETLINK_NETFILTER (ctnetlink, IPCTNL_MSG_CT_GET
// with NLM_F_DUMP) and counts its TCP entries by conntrack state, named as
// net/nf_conntrack names them. It needs no CONFIG_NF_CONNTRACK_PROCFS.
func NetlinkConntrackTCP() (map[string]int64, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_NETFILTER)
	if err != nil {
		return nil, fmt.Errorf("%w: socket: %w", ErrConntrackNetlink, err)
	}
	defer unix.Close(fd)
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return nil, fmt.Errorf("%w: bind: %w", ErrConntrackNetlink, err)
	}
	const seq = 1
	var req [nlmsgHdrLen + nfgenMsgLen]byte
	ne := binary.NativeEndian
	ne.PutUint32(req[0:], uint32(len(req)))
	ne.PutUint16(req[4:], nfnlSubsysCTNetlink<<8|ipctnlMsgCTGet)
	ne.PutUint16(req[6:], unix.NLM_F_REQUEST|unix.NLM_F_DUMP)
	ne.PutUint32(req[8:], seq)
	req[nlmsgHdrLen] = unix.AF_UNSPEC // every layer-3 family
	req[nlmsgHdrLen+1] = unix.NFNETLINK_V0
	if err := unix.Sendto(fd, req[:], 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return nil, fmt.Errorf("%w: send dump request: %w", ErrConntrackNetlink, err)
	}
	states := make(map[string]int64)
	buf := make([]byte, recvBufLen)
	for {
		m, err := unix.Read(fd, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%w: receive: %w", ErrConntrackNetlink, err)
		}
		done, err := conntrackMessages(buf[:m], seq, states)
		if err != nil {
			return nil, err
		}
		if done {
			return states, nil
		}
	}
}
