package rules

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tcpaudit/tcpaudit/audit"
)

const conntrackTimeoutsWhy = `Conntrack keeps its own TCP state per flow, with states named like the ` +
	`socket's and timeouts of its own (net.netfilter.nf_conntrack_tcp_timeout_*). They decide ` +
	`only how long the firewall remembers a flow, never how long a socket lives. The socket's ` +
	`TIME_WAIT is fixed at 60 s (TCP_TIMEWAIT_LEN); the conntrack entry's TIME_WAIT is 120 s by ` +
	`default; lowering nf_conntrack_tcp_timeout_time_wait changes nothing ss shows, and a ` +
	`socket's CLOSE_WAIT lasts until the application closes, whatever ` +
	`nf_conntrack_tcp_timeout_close_wait says (60 s by default). An established entry is kept ` +
	`for nf_conntrack_tcp_timeout_established after the last packet: 5 days by default. A peer ` +
	`that vanished without a FIN or RST leaves its entry that long, unless keepalive probes ` +
	`refresh or end it sooner; an established timeout far beyond the host's keepalive fills the ` +
	`table with dead flows.`

func conntrackTCPTimeouts() Rule {
	return Rule{
		ID:       "conntrack-tcp-timeouts",
		Title:    "Conntrack TCP timeouts against the TCP lifecycle",
		Category: Capacity,
		Severity: Warning,
		Keys:     []string{keyKeepaliveTime, keyKeepaliveIntvl, keyKeepaliveProbes},
		Needs:    []audit.Source{audit.SourceConntrack},
		Params: []Param{
			{Name: "max_established", Kind: IntParam, Doc: "seconds of nf_conntrack_tcp_timeout_established above which a warning is raised"},
			{Name: "accepted_time_wait", Kind: IntsParam, Doc: "nf_conntrack_tcp_timeout_time_wait values that are not reported"},
			{Name: "accepted_close_wait", Kind: IntsParam, Doc: "nf_conntrack_tcp_timeout_close_wait values that are not reported"},
		},
		Explanation: conntrackTimeoutsWhy,
		References: []string{
			"net/netfilter/nf_conntrack_proto_tcp.c tcp_timeouts[], tcp_conntracks[][][]",
			"include/net/tcp.h TCP_TIMEWAIT_LEN",
			"docs/kernel-facts.md §22",
		},
		Check: checkConntrackTimeouts,
	}
}

// establishedFix is the established timeout the fix proposes at most: one
// day, kube-proxy's own value, which every built-in profile accepts, so
// one profile's fix never trips another.
const establishedFix = 86400

// Keepalive sysctls, which bound how long a dead peer's flow looks alive.
const (
	keyKeepaliveTime   = "net.ipv4.tcp_keepalive_time"
	keyKeepaliveIntvl  = "net.ipv4.tcp_keepalive_intvl"
	keyKeepaliveProbes = "net.ipv4.tcp_keepalive_probes"
)

func checkConntrackTimeouts(f *audit.Facts, p Params) []Finding {
	var obs, expected []string
	ev, set := Evidence{}, map[string]string{}
	sev := Severity(0)
	if est, ok := f.Conntrack.Get(audit.ConntrackTimeoutKey("established")); ok {
		ev["established_s"] = float64(est)
		if ka, ok := keepaliveSeconds(f); ok && est > p.Int("max_established") {
			sev = Warning
			ev["keepalive_s"] = float64(ka)
			obs = append(obs, fmt.Sprintf("nf_conntrack_tcp_timeout_established is %d s (%.1f days), %.0f× the host's keepalive of %d s (time + intvl × probes)", est, float64(est)/86400, float64(est)/float64(ka), ka))
			expected = append(expected, fmt.Sprintf("an established timeout of at most %d s", p.Int("max_established")))
			set[audit.ConntrackTimeoutKey("established")] = fmt.Sprint(min(p.Int("max_established"), establishedFix))
		}
	}
	for _, c := range []struct{ state, param string }{{"time_wait", "accepted_time_wait"}, {"close_wait", "accepted_close_wait"}} {
		v, ok := f.Conntrack.Get(audit.ConntrackTimeoutKey(c.state))
		if !ok || slices.Contains(p.Ints(c.param), v) {
			continue
		}
		sev = max(sev, Info)
		ev[c.state+"_s"] = float64(v)
		obs = append(obs, fmt.Sprintf("nf_conntrack_tcp_timeout_%s is %d s: the firewall's memory of the flow, not the socket's %s%s", c.state, v, strings.ToUpper(c.state), kubeProxyNote(c.state, v)))
		expected = append(expected, fmt.Sprintf("nf_conntrack_tcp_timeout_%s one of %v", c.state, p.Ints(c.param)))
		if a := p.Ints(c.param); len(a) > 0 {
			set[audit.ConntrackTimeoutKey(c.state)] = fmt.Sprint(a[0])
		}
	}
	if sev == 0 {
		return nil
	}
	return []Finding{{
		Severity:    sev,
		Title:       "Conntrack TCP timeouts do not match the TCP lifecycle",
		Observed:    strings.Join(obs, "; "),
		Expected:    strings.Join(expected, "; "),
		Explanation: conntrackTimeoutsWhy,
		Evidence:    ev,
		Fix: Fix{Sysctl: set, Advice: "Keep the established timeout within a small multiple of the keepalive that " +
			"the host's services use, so entries of vanished peers expire (one day, 86400 s, is " +
			"what kube-proxy sets). Leave the time_wait and " +
			"close_wait timeouts at their defaults (120 s, 60 s) unless the firewall's memory of " +
			"closing flows is the goal: they do not shorten the socket's TIME_WAIT (fixed at 60 s) " +
			"or its CLOSE_WAIT (until the application closes)."},
	}}
}

// keepaliveSeconds is how long a dead peer's connection is kept alive by
// keepalive: time + intvl × probes.
func keepaliveSeconds(f *audit.Facts) (int64, bool) {
	t, ok1 := sysctlInt(f, keyKeepaliveTime)
	i, ok2 := sysctlInt(f, keyKeepaliveIntvl)
	n, ok3 := sysctlInt(f, keyKeepaliveProbes)
	return t + i*n, ok1 && ok2 && ok3 && t > 0
}

// kubeProxyNote says when a timeout has the value kube-proxy sets at start
// by default (--conntrack-tcp-timeout-established 86400 s, -close-wait
// 3600 s): its setting, accepted by the kubernetes-node profile.
func kubeProxyNote(state string, v int64) string {
	if (state != "established" || v != 86400) && (state != "close_wait" || v != 3600) {
		return ""
	}
	return fmt.Sprintf(" (%d s is what kube-proxy sets, --conntrack-tcp-timeout-%s: on a Kubernetes node it is "+
		"kube-proxy's setting, accepted by the kubernetes-node profile)", v, strings.ReplaceAll(state, "_", "-"))
}
