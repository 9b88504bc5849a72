package rules

import (
	"fmt"

	"github.com/tcpaudit/tcpaudit/audit"
)

const portRangeWhy = `ip_local_port_range is the pool connect() picks local ports from when ` +
	`the application does not bind() one (and bind() to port 0 too), for IPv4 and IPv6. ` +
	`A port only has to be unique per (local IP, remote IP, remote port), so the range ` +
	`limits concurrent connections to one destination, not the host's total connections. ` +
	`When the pool toward a destination is used up, connect() fails with EADDRNOTAVAIL ` +
	`("Cannot assign requested address"). Prefer a low and a high end of different ` +
	`parity: connect() scans ports of one parity first, and the kernel logs a ` +
	`warning when both ends have the same parity.`

func ephemeralPortRange() Rule {
	return Rule{
		ID:           "ephemeral-port-range",
		Title:        "Ephemeral port range is narrow",
		Category:     Capacity,
		Severity:     Warning,
		Keys:         []string{keyPortRange},
		OptionalKeys: []string{keyReservedPorts},
		Params: []Param{
			{Name: "min_ports", Kind: IntParam, Doc: "smallest acceptable number of ports in ip_local_port_range"},
			{Name: "recommended", Kind: IntsParam, Doc: "low and high end to suggest"},
		},
		Explanation: portRangeWhy,
		References: []string{
			"Documentation/networking/ip-sysctl.rst ip_local_port_range",
			"net/ipv4/inet_hashtables.c __inet_hash_connect",
		},
		Check: checkPortRange,
	}
}

func checkPortRange(f *audit.Facts, p Params) []Finding {
	lo, hi, ok := portRange(f)
	if !ok {
		return []Finding{{
			Title:       "ip_local_port_range cannot be read as two ports",
			Observed:    fmt.Sprintf("%s = %q", keyPortRange, f.Sysctls[keyPortRange]),
			Expected:    "two port numbers, low <= high",
			Explanation: portRangeWhy,
		}}
	}
	size := hi - lo + 1
	if size >= p.Int("min_ports") {
		return nil
	}
	rec := p.Ints("recommended")
	fix := Fix{Advice: "Widen the range; reserve any listening port inside it with ip_local_reserved_ports."}
	if len(rec) == 2 {
		fix.Sysctl = map[string]string{keyPortRange: fmt.Sprintf("%d %d", rec[0], rec[1])}
		if reserved, added := reserveListeners(f, rec[0], rec[1]); len(added) > 0 {
			fix.Sysctl[keyReservedPorts] = reserved.String()
			fix.Advice = "Widen the range. The listening ports inside the new range are added to " +
				"ip_local_reserved_ports (with those already reserved), so a service restart cannot " +
				"lose its port to an outgoing connection."
		}
	}
	return []Finding{{
		Title:       fmt.Sprintf("Only %d ephemeral ports per destination", size),
		Evidence:    Evidence{"count": float64(size), "threshold": float64(p.Int("min_ports")), "range_low": float64(lo), "range_high": float64(hi)},
		Observed:    fmt.Sprintf("%s = %d %d (%d ports)", keyPortRange, lo, hi, size),
		Expected:    fmt.Sprintf("at least %d ports", p.Int("min_ports")),
		Explanation: portRangeWhy,
		Fix:         fix,
	}}
}

// reserveListeners returns ip_local_reserved_ports extended by the listening
// ports inside [lo, hi] that it lacks, and those ports.
func reserveListeners(f *audit.Facts, lo, hi int64) (*portSet, []uint16) {
	reserved, err := parsePortSet(f.Sysctls[keyReservedPorts])
	if err != nil {
		reserved = &portSet{}
	}
	if f.Census == nil {
		return reserved, nil
	}
	var added []uint16
	for _, port := range f.Census.ListeningPorts() {
		if int64(port) >= lo && int64(port) <= hi && !reserved.has(port) {
			reserved.add(port)
			added = append(added, port)
		}
	}
	return reserved, added
}
