package audit_test

import (
	"net/netip"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/audit"
)

// ssRow is one socket as `ss -tan` prints it.
type ssRow struct {
	state       string // the kernel's name: ESTABLISHED, TIME_WAIT, ...
	recvQ       int
	local, peer netip.AddrPort
}

// ssStateNames maps ss's state names to the kernel's.
var ssStateNames = map[string]string{
	"ESTAB": "ESTABLISHED", "SYN-SENT": "SYN_SENT", "SYN-RECV": "SYN_RECV",
	"FIN-WAIT-1": "FIN_WAIT1", "FIN-WAIT-2": "FIN_WAIT2", "TIME-WAIT": "TIME_WAIT",
	"UNCONN": "CLOSE", "CLOSE-WAIT": "CLOSE_WAIT", "LAST-ACK": "LAST_ACK",
	"LISTEN": "LISTEN", "CLOSING": "CLOSING",
}

// runSS runs `ss -tanH` and returns the rows of the given sockets.
func runSS(t *testing.T, ss string, ends map[portPair]bool) []ssRow {
	t.Helper()
	out, err := exec.Command(ss, "-tanH").Output()
	if err != nil {
		t.Fatalf("ss -tanH: %v", err)
	}
	var rows []ssRow
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) < 5 {
			continue
		}
		r := ssRow{state: ssStateNames[f[0]], local: ssAddr(f[3]), peer: ssAddr(f[4])}
		if r.state == "" {
			t.Fatalf("ss state %q unknown in line %q", f[0], line)
		}
		if r.recvQ, err = strconv.Atoi(f[1]); err != nil {
			t.Fatalf("ss Recv-Q in %q: %v", line, err)
		}
		if ends[portPair{r.local.Port(), r.peer.Port()}] {
			rows = append(rows, r)
		}
	}
	return rows
}

// ssAddr parses "127.0.0.1:80", "[::1]:80", "[::ffff:127.0.0.1]:80",
// "0.0.0.0:*" or "*:*"; a "*" port is 0.
func ssAddr(s string) netip.AddrPort {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return netip.AddrPort{}
	}
	host, port := strings.Trim(s[:i], "[]"), s[i+1:]
	if j := strings.IndexByte(host, '%'); j >= 0 {
		host = host[:j]
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		a = netip.IPv4Unspecified()
	}
	p, _ := strconv.ParseUint(port, 10, 16)
	return netip.AddrPortFrom(a, uint16(p))
}

func ssRowStates(rows []ssRow) map[string]int {
	m := map[string]int{}
	for _, r := range rows {
		m[r.state]++
	}
	return m
}

// ssListeners returns the LISTEN rows as census listeners (without the
// inode, which ss -tan does not print).
func ssListeners(rows []ssRow) []audit.Listener {
	var ls []audit.Listener
	for _, r := range rows {
		if r.state == "LISTEN" {
			ls = append(ls, audit.Listener{Addr: r.local.Addr(), Port: r.local.Port(), AcceptQueue: uint32(r.recvQ)})
		}
	}
	return ls
}

// ssEphemeral computes the census's ephemeral aggregate from ss rows: local
// port in [low, high] and not a listening port, per destination.
func ssEphemeral(rows []ssRow, low, high uint16) map[audit.Flow]audit.FlowUse {
	listening := map[uint16]bool{}
	for _, r := range rows {
		if r.state == "LISTEN" {
			listening[r.local.Port()] = true
		}
	}
	m := map[audit.Flow]audit.FlowUse{}
	for _, r := range rows {
		p := r.local.Port()
		if r.state == "LISTEN" || p < low || p > high || listening[p] {
			continue
		}
		f := audit.Flow{Local: r.local.Addr(), Remote: r.peer.Addr(), RemotePort: r.peer.Port()}
		u := m[f]
		u.Sockets++
		if r.state == "TIME_WAIT" {
			u.TimeWait++
		}
		m[f] = u
	}
	return m
}
