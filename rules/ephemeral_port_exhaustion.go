package rules

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"

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
		OptionalKeys: []string{keyReservedPorts, keyTwReuse, keyTimestamps},
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
	var hots []portUse
	for fl, u := range ephemeralFlows(f.Census) {
		pu := newPortUse(f, fl, u)
		if atLeast(int64(pu.held()), usable, p.Float("warning_share")) {
			hots = append(hots, pu)
		}
	}
	sort.Slice(hots, func(i, j int) bool {
		if hots[i].held() != hots[j].held() {
			return hots[i].held() > hots[j].held()
		}
		return flowName(hots[i].flow) < flowName(hots[j].flow)
	})
	if k := int(p.Int("top")); len(hots) > k {
		hots = hots[:k]
	}
	var out []Finding
	for _, h := range hots {
		out = append(out, h.finding(f, p, usable))
	}
	return out
}

// finding reports one destination whose ports are nearly used up.
func (h portUse) finding(f *audit.Facts, p Params, usable int64) Finding {
	sev := Warning
	if atLeast(int64(h.held()), usable, p.Float("critical_share")) {
		sev = Critical
	}
	ev := Evidence{"count": float64(h.use.Sockets), "time_wait": float64(h.use.TimeWait), "held": float64(h.held()),
		"limit": float64(usable), "share": share(int64(h.held()), usable), "threshold": p.Float("warning_share")}
	trend := readTrend(f, "TcpExt", "TWRecycled")
	if h.reusable {
		trend.evidence(ev)
		ev["tw_recycled"] = ev["since_boot"]
		delete(ev, "since_boot")
	}
	owners := h.owners(f)
	return Finding{
		Severity:    sev,
		Title:       "Ephemeral ports toward " + flowName(h.flow) + " nearly exhausted",
		Observed:    h.observed(usable, trend, owners),
		Expected:    fmt.Sprintf("below %.0f%% of the usable range per destination", 100*p.Float("warning_share")),
		Explanation: exhaustionWhy,
		Evidence:    ev,
		Subjects:    h.subjects(owners),
		Fix:         h.fix(owners),
	}
}

// observed says how many ports are in use, how many connect() cannot
// take, and who holds them.
func (h portUse) observed(usable int64, trend counterTrend, owners []audit.Owner) string {
	observed := fmt.Sprintf("%d of %d usable ports in use toward %s (%s; %d in TIME_WAIT)",
		h.use.Sockets, usable, flowName(h.flow), pct(int64(h.use.Sockets), usable), h.use.TimeWait)
	if h.reusable {
		observed += fmt.Sprintf("; tcp_tw_reuse=%d lets connect() take over the TIME_WAIT ports here, so %d are held (%s); TcpExt %s",
			h.reuse, h.held(), pct(int64(h.held()), usable), trend.describe())
	}
	if len(owners) > 0 {
		observed += "; " + ownersText(owners)
	}
	return observed
}

// subjects are the processes holding the ports, or the destination alone.
func (h portUse) subjects(owners []audit.Owner) []Subject {
	local, remote := h.flow.Local.Unmap().String(), addrPort(h.flow.Remote, h.flow.RemotePort)
	if len(owners) == 0 {
		return []Subject{{Local: local, Remote: remote, Count: h.use.Sockets}}
	}
	out := ownerSubjects(owners, "")
	for i := range out {
		out[i].Local, out[i].Remote = local, remote
	}
	return out
}

// portUse is the use of the ports toward one destination, and whether
// tcp_tw_reuse lets connect() take over its TIME_WAIT ports: with 1
// everywhere, with 2 (the default) when the local or remote address is a
// loopback one; both need tcp_timestamps.
type portUse struct {
	flow     audit.Flow
	use      audit.FlowUse
	reuse    int64
	reusable bool
}

func newPortUse(f *audit.Facts, fl audit.Flow, u audit.FlowUse) portUse {
	reuse, _ := sysctlInt(f, keyTwReuse)
	ts, tsKnown := sysctlInt(f, keyTimestamps)
	loop := fl.Local.Unmap().IsLoopback() || fl.Remote.Unmap().IsLoopback()
	return portUse{flow: fl, use: u, reuse: reuse,
		reusable: u.TimeWait > 0 && (!tsKnown || ts != 0) && (reuse == 1 || reuse == 2 && loop)}
}

// held is the number of ports connect() cannot take: all of them, less
// the TIME_WAIT ones where tcp_tw_reuse applies.
func (h portUse) held() int {
	if h.reusable {
		return h.use.Sockets - h.use.TimeWait
	}
	return h.use.Sockets
}

// owners are the processes holding the destination's ports, when known.
func (h portUse) owners(f *audit.Facts) []audit.Owner {
	if f.Owners == nil {
		return nil
	}
	return f.Owners.Flows[audit.Flow{Local: h.flow.Local.Unmap(), Remote: h.flow.Remote.Unmap(), RemotePort: h.flow.RemotePort}]
}

// fix proposes tcp_tw_reuse=1 only where it would free ports: most of them
// in TIME_WAIT, toward a destination it does not apply to yet.
func (h portUse) fix(owners []audit.Owner) Fix {
	fix := Fix{Advice: "Spread connections over more source addresses or destination ports, reuse " +
		"connections (pooling, keep-alive), and use IP_BIND_ADDRESS_NO_PORT instead of bind() " +
		"before connect().", Processes: owners}
	if 2*h.use.TimeWait > h.use.Sockets && !h.reusable && h.reuse != 1 {
		fix.Advice += " Most of these are in TIME_WAIT: tcp_tw_reuse=1 lets connect() take " +
			"over a TIME_WAIT 4-tuple after a short delay (tcp_tw_reuse_delay, 1000 ms by default, " +
			"where that key exists; otherwise once the clock second passes the old connection's " +
			"last timestamp); it needs tcp_timestamps on both ends."
		fix.Sysctl = map[string]string{keyTwReuse: "1"}
	}
	return fix
}

// ownersText is "pid 10 (app) holds 900; pid 11 (app) holds 3 (shared
// with 1 other process)", the first three.
func ownersText(owners []audit.Owner) string {
	var parts []string
	for _, o := range owners[:min(len(owners), 3)] {
		parts = append(parts, ownerLine(o))
	}
	return strings.Join(parts, "; ")
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
