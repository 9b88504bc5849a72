package rules

import (
	"fmt"
	"net/netip"
	"sort"

	"github.com/tcpaudit/tcpaudit/audit"
)

const exhaustionWhy = `The kernel needs a distinct local port only per (local IP, remote IP, ` +
	`remote port): a host can hold far more than 65535 connections, but toward one ` +
	`destination from one source address it has at most the usable ephemeral range ` +
	`(ip_local_port_range minus the reserved ports and every port held by bind(): listeners ` +
	`and any other explicitly bound socket; tcpaudit sees only the listeners, so the usable ` +
	`count is an upper bound). When that pool is used up, ` +
	`connect() fails with EADDRNOTAVAIL ("Cannot assign requested address"). Sockets in ` +
	`TIME_WAIT keep their port for 60 s. bind() before connect() makes ports exclusive per ` +
	`local address and exhausts the range far sooner; IP_BIND_ADDRESS_NO_PORT avoids that.`

func ephemeralPortExhaustion() Rule {
	return Rule{
		ID:           "ephemeral-port-exhaustion",
		Title:        "Ephemeral ports toward one destination nearly used up",
		Category:     Capacity,
		Severity:     Warning,
		Keys:         []string{keyPortRange},
		OptionalKeys: []string{keyReservedPorts, keyTwReuse},
		Needs:        []audit.Source{audit.SourceSockets},
		Params: []Param{
			{Name: "warning_share", Kind: FloatParam, Doc: "share of the usable range in use toward one destination that raises a warning"},
			{Name: "critical_share", Kind: FloatParam, Doc: "share that is critical"},
			{Name: "top", Kind: IntParam, Doc: "destinations to report at most"},
		},
		Explanation: exhaustionWhy,
		References: []string{
			"net/ipv4/inet_hashtables.c __inet_hash_connect, __inet_check_established",
			"Documentation/networking/ip-sysctl.rst ip_autobind_reuse (IP_BIND_ADDRESS_NO_PORT)",
		},
		Check: checkExhaustion,
	}
}

func checkExhaustion(f *audit.Facts, p Params) []Finding {
	usable, ok := usablePorts(f)
	if !ok || usable <= 0 {
		return nil
	}
	type hot struct {
		flow audit.Flow
		use  audit.FlowUse
	}
	var hots []hot
	for fl, u := range ephemeralFlows(f.Census) {
		if atLeast(int64(u.Sockets), usable, p.Float("warning_share")) {
			hots = append(hots, hot{fl, u})
		}
	}
	sort.Slice(hots, func(i, j int) bool {
		if hots[i].use.Sockets != hots[j].use.Sockets {
			return hots[i].use.Sockets > hots[j].use.Sockets
		}
		return flowName(hots[i].flow) < flowName(hots[j].flow)
	})
	if k := int(p.Int("top")); len(hots) > k {
		hots = hots[:k]
	}
	var out []Finding
	for _, h := range hots {
		sev := Warning
		if atLeast(int64(h.use.Sockets), usable, p.Float("critical_share")) {
			sev = Critical
		}
		advice := "Spread connections over more source addresses or destination ports, reuse " +
			"connections (pooling, keep-alive), and use IP_BIND_ADDRESS_NO_PORT instead of bind() " +
			"before connect()."
		fix := Fix{Advice: advice}
		if reuse, _ := f.Sysctl(keyTwReuse); 2*h.use.TimeWait > h.use.Sockets && reuse != "1" {
			fix.Advice += " Most of these are in TIME_WAIT: tcp_tw_reuse=1 lets connect() take " +
				"over a TIME_WAIT 4-tuple after a short delay (tcp_tw_reuse_delay, 1000 ms by default, " +
				"where that key exists; otherwise once the clock second passes the old connection's " +
				"last timestamp); it needs tcp_timestamps on both ends."
			fix.Sysctl = map[string]string{keyTwReuse: "1"}
		}
		out = append(out, Finding{
			Severity: sev,
			Evidence: Evidence{"count": float64(h.use.Sockets), "time_wait": float64(h.use.TimeWait), "limit": float64(usable),
				"share": share(int64(h.use.Sockets), usable), "threshold": p.Float("warning_share")},
			Subjects: []Subject{{Local: h.flow.Local.Unmap().String(), Remote: addrPort(h.flow.Remote, h.flow.RemotePort), Count: h.use.Sockets}},
			Title:    "Ephemeral ports toward " + flowName(h.flow) + " nearly exhausted",
			Observed: fmt.Sprintf("%d of %d usable ports in use toward %s (%s; %d in TIME_WAIT)",
				h.use.Sockets, usable, flowName(h.flow), pct(int64(h.use.Sockets), usable), h.use.TimeWait),
			Expected:    fmt.Sprintf("below %.0f%% of the usable range per destination", 100*p.Float("warning_share")),
			Explanation: exhaustionWhy,
			Fix:         fix,
		})
	}
	return out
}

// ephemeralFlows merges the census's flows whose addresses differ only by
// the v4-mapped form: an AF_INET6 socket connected to an IPv4 peer
// (::ffff:a.b.c.d) draws its port from the same pool as AF_INET sockets
// toward that peer (tcp_v6_connect hands it to tcp_v4_connect).
func ephemeralFlows(c *audit.Census) map[audit.Flow]audit.FlowUse {
	out := make(map[audit.Flow]audit.FlowUse, len(c.Ephemeral))
	for fl, u := range c.Ephemeral {
		k := audit.Flow{Local: fl.Local.Unmap(), Remote: fl.Remote.Unmap(), RemotePort: fl.RemotePort}
		m := out[k]
		m.Sockets += u.Sockets
		m.TimeWait += u.TimeWait
		out[k] = m
	}
	return out
}

// flowName renders "10.0.0.1 -> 10.0.0.5:5432".
func flowName(fl audit.Flow) string {
	return fmt.Sprintf("%s -> %s", fl.Local.Unmap(), netip.AddrPortFrom(fl.Remote.Unmap(), fl.RemotePort))
}
