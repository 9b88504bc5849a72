package rules

import (
	"fmt"
	"strconv"

	"github.com/tcpaudit/tcpaudit/audit"
)

const coreBuffersWhy = `net.core.rmem_max and wmem_max bound the buffer sizes applications ` +
	`request explicitly with SO_RCVBUF and SO_SNDBUF; they do not limit TCP autotuning, ` +
	`which tcp_rmem and tcp_wmem bound. Applications that size their own buffers (many ` +
	`proxies, UDP and QUIC servers) are capped here. Both keys are global: one value for ` +
	`the whole host, which only the initial network namespace can change. In Linux 6.1 a ` +
	`container's namespace does not have them, and that is not a finding; newer kernels ` +
	`show them there read-only, with the host's value.`

// coreBuffersChildAdvice is the fix inside a child namespace, where the
// keys cannot be written: advice for the host, never a sysctl line here.
const coreBuffersChildAdvice = `This network namespace is not the host's: here %s is ` +
	`read-only or absent. Set it on the host (the initial namespace), %s = %d; the value ` +
	`applies to every namespace.`

func coreBufferLimitsLow() Rule {
	return Rule{
		ID:       "core-buffer-limits-low",
		Title:    "Socket buffer maxima for explicit SO_RCVBUF / SO_SNDBUF are below the profile's",
		Category: Performance,
		Severity: Info,
		Keys:     []string{"net.core.rmem_max", "net.core.wmem_max"},
		Params: []Param{
			{Name: "min", Kind: IntParam, Doc: "lowest rmem_max and wmem_max (bytes) that pass"},
		},
		Explanation: coreBuffersWhy,
		References: []string{
			"Documentation/admin-guide/sysctl/net.rst rmem_max, wmem_max",
			"Documentation/networking/ip-sysctl.rst tcp_rmem (SO_RCVBUF disables autotuning)",
			"net/core/sysctl_net_core.c sysctl_core_net_init (read-only in child namespaces, 6.12)",
			"docs/kernel-facts.md §12 (global keys and child namespaces)",
		},
		Check: checkCoreBuffers,
	}
}

func checkCoreBuffers(f *audit.Facts, p Params) []Finding {
	var out []Finding
	want := p.Int("min")
	child := ChildNamespace(f)
	for _, key := range []string{"net.core.rmem_max", "net.core.wmem_max"} {
		v, ok := sysctlInt(f, key)
		if !ok || v >= want {
			continue
		}
		out = append(out, Finding{
			Title:       fmt.Sprintf("%s is %d bytes, below %d", key, v, want),
			Observed:    fmt.Sprintf("%s = %d", key, v),
			Evidence:    Evidence{"value": float64(v), "threshold": float64(want)},
			Expected:    fmt.Sprintf("%s >= %d", key, want),
			Explanation: coreBuffersWhy,
			Fix:         coreBuffersFix(key, want, child),
		})
	}
	return out
}

// coreBuffersFix sets the key, or inside a child namespace says to set it
// on the host: a sysctl line there would fail, at boot as by hand.
func coreBuffersFix(key string, want int64, child bool) Fix {
	if child {
		return Fix{Advice: fmt.Sprintf(coreBuffersChildAdvice, key, key, want)}
	}
	return Fix{Sysctl: map[string]string{key: strconv.FormatInt(want, 10)}}
}
