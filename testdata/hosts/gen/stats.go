package main

import (
	"fmt"
	"strings"
)

// baseCounters are plausible totals for a host up a few days; hosts
// override what their story needs.
var baseCounters = map[string]int64{
	"TcpExt.EmbryonicRsts": 3, "TcpExt.TW": 184220, "TcpExt.PAWSEstab": 12,
	"TcpExt.DelayedACKs": 240113, "TcpExt.DelayedACKLocked": 31, "TcpExt.DelayedACKLost": 812,
	"TcpExt.TCPHPHits": 5123345, "TcpExt.TCPPureAcks": 1023455, "TcpExt.TCPHPAcks": 2034511,
	"TcpExt.TCPSackRecovery": 211, "TcpExt.TCPSACKReorder": 90, "TcpExt.TCPTSReorder": 14,
	"TcpExt.TCPFullUndo": 4, "TcpExt.TCPDSACKUndo": 9, "TcpExt.TCPLossUndo": 120,
	"TcpExt.TCPLostRetransmit": 77, "TcpExt.TCPSackFailures": 3, "TcpExt.TCPFastRetrans": 640,
	"TcpExt.TCPSlowStartRetrans": 22, "TcpExt.TCPTimeouts": 1980, "TcpExt.TCPLossProbes": 3110,
	"TcpExt.TCPLossProbeRecovery": 58, "TcpExt.TCPBacklogCoalesce": 9120, "TcpExt.TCPDSACKOldSent": 815,
	"TcpExt.TCPDSACKRecv": 331, "TcpExt.TCPAbortOnData": 642, "TcpExt.TCPAbortOnClose": 310,
	"TcpExt.TCPAbortOnTimeout": 97, "TcpExt.TCPSpuriousRTOs": 11, "TcpExt.TCPSackShifted": 140,
	"TcpExt.TCPSackMerged": 402, "TcpExt.TCPSackShiftFallback": 1330, "TcpExt.TCPRcvCoalesce": 812003,
	"TcpExt.TCPOFOQueue": 4410, "TcpExt.TCPChallengeACK": 6, "TcpExt.TCPSYNChallenge": 6,
	"TcpExt.TCPAutoCorking": 21009, "TcpExt.TCPSynRetrans": 305, "TcpExt.TCPOrigDataSent": 6012220,
	"TcpExt.TCPHystartTrainDetect": 40, "TcpExt.TCPHystartTrainCwnd": 1211, "TcpExt.TCPKeepAlive": 20331,
	"TcpExt.TCPDelivered": 6101345, "TcpExt.TCPAckCompressed": 5120, "TcpExt.TCPWinProbe": 2,
	"TcpExt.TCPDSACKRecvSegs": 340, "TcpExt.TCPFromZeroWindowAdv": 17, "TcpExt.TCPToZeroWindowAdv": 17,
	"TcpExt.TCPWantZeroWindowAdv": 88,
	"IpExt.InOctets":              9812331234, "IpExt.OutOctets": 12033445122, "IpExt.InNoECTPkts": 15123444,
	"IpExt.InECT0Pkts": 1202, "IpExt.InBcastPkts": 310, "IpExt.InBcastOctets": 61220,
	"Ip.Forwarding": 2, "Ip.DefaultTTL": 64, "Ip.InReceives": 15124646, "Ip.InAddrErrors": 4,
	"Ip.InDelivers": 15124100, "Ip.OutRequests": 16230112, "Ip.OutNoRoutes": 2, "Ip.OutTransmits": 16230112,
	"Icmp.InMsgs": 12, "Icmp.InDestUnreachs": 12, "Icmp.OutMsgs": 12, "Icmp.OutDestUnreachs": 12,
	"IcmpMsg.InType3": 12, "IcmpMsg.OutType3": 12,
	"Tcp.RtoAlgorithm": 1, "Tcp.RtoMin": 200, "Tcp.RtoMax": 120000, "Tcp.MaxConn": -1,
	"Tcp.ActiveOpens": 120331, "Tcp.PassiveOpens": 90213, "Tcp.AttemptFails": 210, "Tcp.EstabResets": 1450,
	"Tcp.InSegs": 15000321, "Tcp.OutSegs": 16120334, "Tcp.RetransSegs": 4221, "Tcp.InErrs": 3, "Tcp.OutRsts": 2211,
	"Udp.InDatagrams": 40122, "Udp.NoPorts": 31, "Udp.OutDatagrams": 40190,
}

// oldKernelDrops are counters a 4.9 kernel does not print yet.
var oldKernelDrops = strings.Fields(`TCPHystartTrainDetect TCPHystartTrainCwnd
	TCPHystartDelayDetect TCPHystartDelayCwnd TCPDelivered TCPDeliveredCE TCPAckCompressed
	TCPZeroWindowDrop TCPRcvQDrop TCPWqueueTooBig TCPFastOpenPassiveAltKey TcpTimeoutRehash
	TcpDuplicateDataRehash TCPDSACKRecvSegs TCPDSACKIgnoredDubious TCPMigrateReqSuccess
	TCPMigrateReqFailure TCPPLBRehash TCPAORequired TCPAOBad TCPAOKeyNotFound TCPAOGood
	TCPAODroppedIcmps ReasmOverlaps OutTransmits OutRateLimitGlobal OutRateLimitHost`)

func (h *host) counter(section, name string) int64 {
	if v, ok := h.counters[section+"."+name]; ok {
		return v
	}
	return baseCounters[section+"."+name]
}

// section renders one name line and one value line.
func (h *host) section(b *strings.Builder, section, names string) {
	list := strings.Fields(names)
	if h.old {
		list = without(list, oldKernelDrops)
	}
	vals := make([]string, len(list))
	for i, n := range list {
		vals[i] = fmt.Sprint(h.counter(section, n))
	}
	fmt.Fprintf(b, "%s: %s\n%s: %s\n", section, strings.Join(list, " "), section, strings.Join(vals, " "))
}

func without(list, drop []string) []string {
	var out []string
	for _, n := range list {
		keep := true
		for _, d := range drop {
			keep = keep && n != d
		}
		if keep {
			out = append(out, n)
		}
	}
	return out
}

func (h *host) renderNetstat() string {
	var b strings.Builder
	h.section(&b, "TcpExt", netstatTcpExtNames)
	h.section(&b, "IpExt", netstatIpExtNames)
	if !h.old {
		h.section(&b, "MPTcpExt", netstatMPTcpExtNames)
	}
	return b.String()
}

func (h *host) renderSNMP() string {
	// CurrEstab counts ESTABLISHED and CLOSE_WAIT sockets (tcp_set_state).
	if _, ok := h.counters["Tcp.CurrEstab"]; !ok {
		h.counters["Tcp.CurrEstab"] = int64(h.count(func(s sock) bool { return s.st == stEstablished || s.st == stCloseWait }))
	}
	var b strings.Builder
	h.section(&b, "Ip", snmpIpNames)
	h.section(&b, "Icmp", snmpIcmpNames)
	h.section(&b, "IcmpMsg", snmpIcmpMsgNames)
	h.section(&b, "Tcp", snmpTcpNames)
	h.section(&b, "Udp", snmpUdpNames)
	h.section(&b, "UdpLite", snmpUdpLiteNames)
	return b.String()
}

func (h *host) count(match func(sock) bool) int {
	n := 0
	for _, s := range h.socks {
		if match(s) {
			n++
		}
	}
	return n
}

// renderSockstat computes sockstat from the socket list (docs/kernel-facts.md §11):
// inuse counts hashed full sockets per family, tw counts timewait minisocks
// of both families, orphan counts full sockets without an owner; hosts
// override the global fields (orphan, mem) when other namespaces matter.
func (h *host) renderSockstat() (string, string) {
	inuse4 := h.count(func(s sock) bool { return s.kind == fullSock && !s.v6() })
	inuse6 := h.count(func(s sock) bool { return s.kind == fullSock && s.v6() })
	v := map[string]int64{
		"TCP.inuse":  int64(inuse4),
		"TCP6.inuse": int64(inuse6),
		"TCP.tw":     int64(h.count(func(s sock) bool { return s.kind == twSock })),
		"TCP.orphan": int64(h.count(func(s sock) bool {
			return s.kind == fullSock && s.inode == 0 && s.st != stEstablished && s.st != stListen
		})),
		"TCP.alloc": int64(inuse4 + inuse6 + 3),
		"TCP.mem":   int64(20 + (inuse4+inuse6)/12),
	}
	for k, x := range h.sockstat {
		v[k] = x
	}
	used := v["TCP.alloc"] + 212
	s4 := fmt.Sprintf("sockets: used %d\nTCP: inuse %d orphan %d tw %d alloc %d mem %d\n"+
		"UDP: inuse 4 mem 3\nUDPLITE: inuse 0\nRAW: inuse 0\nFRAG: inuse 0 memory 0\n",
		used, v["TCP.inuse"], v["TCP.orphan"], v["TCP.tw"], v["TCP.alloc"], v["TCP.mem"])
	s6 := fmt.Sprintf("TCP6: inuse %d\nUDP6: inuse 2\nUDPLITE6: inuse 0\nRAW6: inuse 1\nFRAG6: inuse 0 memory 0\n",
		v["TCP6.inuse"])
	return s4, s6
}
