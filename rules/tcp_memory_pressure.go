package rules

import (
	"fmt"

	"github.com/tcpaudit/tcpaudit/audit"
)

const tcpMemWhy = `net.ipv4.tcp_mem holds three thresholds in pages, not bytes (min, ` +
	`pressure, max) for the memory of all TCP sockets of the host; sockstat "mem" is the ` +
	`current use, also in pages. Above pressure the kernel shrinks socket buffers; at max ` +
	`it refuses memory, drops data and aborts orphans (TcpExt TCPAbortOnMemory, dmesg ` +
	`"out of memory -- consider tuning tcp_mem"). TCPMemoryPressures counts entries into ` +
	`pressure since boot.`

func tcpMemoryPressure() Rule {
	return Rule{
		ID:       "tcp-memory-pressure",
		Title:    "TCP memory near tcp_mem pressure or max",
		Category: Capacity,
		Severity: Warning,
		Keys:     []string{keyTCPMem},
		Needs:    []audit.Source{audit.SourceSockstat, audit.SourceNetstat},
		Params: []Param{
			{Name: "pressure_share", Kind: FloatParam, Doc: "share of tcp_mem[1] (pressure) that raises a warning"},
			{Name: "max_share", Kind: FloatParam, Doc: "share of tcp_mem[2] (max) that is critical"},
		},
		Explanation: tcpMemWhy,
		References: []string{
			"Documentation/networking/ip-sysctl.rst tcp_mem",
			"net/ipv4/proc.c sockstat_seq_show",
		},
		Check: checkTCPMem,
	}
}

func checkTCPMem(f *audit.Facts, p Params) []Finding {
	limits, err := f.SysctlInts(keyTCPMem)
	if err != nil || len(limits) != 3 {
		return nil
	}
	mem, _ := f.Sockstat.Get("TCP", "mem")
	trend := readTrend(f, "TcpExt", "TCPMemoryPressures", "TCPAbortOnMemory")
	sev := trend.severity(Warning, 1)
	switch {
	case atLeast(mem, limits[2], p.Float("max_share")):
		sev = Critical
	case atLeast(mem, limits[1], p.Float("pressure_share")):
		sev = max(sev, Warning)
	}
	if sev == 0 {
		return nil
	}
	title := "TCP socket memory is under pressure"
	if sev == Info {
		title = fmt.Sprintf("%d TCP memory pressure events %s; memory is below pressure now", trend.total, trend.since)
	}
	return []Finding{{
		Severity: sev,
		Title:    title,
		Observed: fmt.Sprintf("sockstat mem %d pages; tcp_mem %d %d %d pages (%s of pressure); TcpExt %s",
			mem, limits[0], limits[1], limits[2], pct(mem, limits[1]), trend.describe()),
		Expected:    fmt.Sprintf("mem below %.0f%% of tcp_mem pressure and no pressure events while sampled", 100*p.Float("pressure_share")),
		Explanation: tcpMemWhy,
		Evidence: trend.evidence(Evidence{"count": float64(mem), "limit": float64(limits[1]), "max": float64(limits[2]),
			"share": share(mem, limits[1]), "threshold": p.Float("pressure_share")}),
		Fix: Fix{Advice: "Find the sockets holding memory (large Recv-Q or Send-Q in `ss -tm`: peers " +
			"that do not read, applications that do not read). Raise tcp_mem only with RAM to back " +
			"it; the values are pages."},
	}}
}
