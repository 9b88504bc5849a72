package rules

import (
	"fmt"
	"strconv"

	"github.com/tcpaudit/tcpaudit/audit"
)

const twReuseWhy = `tcp_tw_reuse lets connect() take over a 4-tuple still in TIME_WAIT after a ` +
	`delay: where net.ipv4.tcp_tw_reuse_delay exists, that many milliseconds (1000 by ` +
	`default) counted from the entry into TIME_WAIT; on older kernels, once the clock second ` +
	`has moved past the old connection's last timestamp, which can be only milliseconds ` +
	`later. A socket already bound to a local port takes over an entry that carries a ` +
	`timestamp whatever tcp_tw_reuse says. It affects outgoing ` +
	`connections only: it does not shorten or remove TIME_WAIT entries and does nothing ` +
	`for incoming connections on a server. It needs TCP timestamps on the old connection ` +
	`(tcp_timestamps on at both ends) and never reuses orphaned FIN_WAIT2 entries. ` +
	`0 = off, 1 = all destinations, 2 = loopback only (the default since 2018). The ` +
	`TcpExt counter TWRecycled counts reuses despite its name.`

func twReuse() Rule {
	return Rule{
		ID:       "tw-reuse",
		Title:    "tcp_tw_reuse differs from the profile",
		Category: Lifecycle,
		Severity: Warning,
		Keys:     []string{keyTwReuse},
		Params: []Param{
			{Name: "accepted", Kind: IntsParam, Doc: "values of tcp_tw_reuse that pass"},
			{Name: "recommended", Kind: IntParam, Doc: "value to suggest"},
		},
		Explanation: twReuseWhy,
		References: []string{
			"net/ipv4/tcp_ipv4.c tcp_twsk_unique",
			"Documentation/networking/ip-sysctl.rst tcp_tw_reuse",
		},
		Check: checkTwReuse,
	}
}

func checkTwReuse(f *audit.Facts, p Params) []Finding {
	v, _ := sysctlInt(f, keyTwReuse)
	if oneOf(v, p.Ints("accepted")) {
		return nil
	}
	rec := p.Int("recommended")
	return []Finding{{
		Title:       fmt.Sprintf("tcp_tw_reuse is %d, the profile expects %s", v, joinInts(p.Ints("accepted"))),
		Observed:    fmt.Sprintf("%s = %d", keyTwReuse, v),
		Evidence:    Evidence{"value": float64(v), "recommended": float64(rec)},
		Expected:    fmt.Sprintf("%s = %s", keyTwReuse, joinInts(p.Ints("accepted"))),
		Explanation: twReuseWhy,
		Fix: Fix{
			Sysctl: map[string]string{keyTwReuse: strconv.FormatInt(rec, 10)},
			Advice: "Hosts that open many outgoing connections to the same destinations benefit from 1; " +
				"keep tcp_timestamps enabled.",
		},
	}}
}
