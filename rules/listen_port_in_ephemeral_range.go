package rules

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/tcpaudit/tcpaudit/audit"
)

const listenInRangeWhy = `While a listener holds a port, connect() skips it (the kernel ` +
	`never autobinds a port owned by bind()), and the port is lost to the ephemeral pool. ` +
	`The danger is the restart: while the service is down, an outgoing connection or a ` +
	`bind() to port 0 can take the port, and the service then fails to start with ` +
	`EADDRINUSE. Ports listed in ip_local_reserved_ports are never chosen automatically, ` +
	`while an explicit bind() to them still works.`

func listenPortInEphemeralRange() Rule {
	return Rule{
		ID:           "listen-port-in-ephemeral-range",
		Title:        "Listening port inside the ephemeral range and not reserved",
		Category:     Lifecycle,
		Severity:     Warning,
		Keys:         []string{keyPortRange},
		OptionalKeys: []string{keyReservedPorts},
		Needs:        []audit.Source{audit.SourceSockets},
		Explanation:  listenInRangeWhy,
		References: []string{
			"Documentation/networking/ip-sysctl.rst ip_local_reserved_ports",
			"net/ipv4/inet_hashtables.c __inet_hash_connect (reserved ports, bind buckets)",
		},
		Check: checkListenInRange,
	}
}

func checkListenInRange(f *audit.Facts, _ Params) []Finding {
	lo, hi, ok := portRange(f)
	if !ok {
		return nil
	}
	reserved, added := reserveListeners(f, lo, hi)
	if len(added) == 0 {
		return nil
	}
	ports := make([]string, len(added))
	for i, port := range added {
		ports[i] = strconv.Itoa(int(port))
	}
	return []Finding{{
		Title:       fmt.Sprintf("%s in the ephemeral range %d-%d", lieIn(len(ports)), lo, hi),
		Observed:    "listening on " + strings.Join(ports, ", "),
		Evidence:    Evidence{"count": float64(len(added)), "range_low": float64(lo), "range_high": float64(hi)},
		Expected:    "listening ports outside ip_local_port_range or listed in ip_local_reserved_ports",
		Explanation: listenInRangeWhy,
		Fix: Fix{
			Sysctl: map[string]string{keyReservedPorts: reserved.String()},
			Advice: "Reserve the ports (the value keeps the ports already reserved), or move the services below the range.",
		},
	}}
}

// lieIn is "1 listening port lies" or "N listening ports lie".
func lieIn(n int) string {
	if n == 1 {
		return "1 listening port lies"
	}
	return fmt.Sprintf("%d listening ports lie", n)
}
