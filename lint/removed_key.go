package lint

import (
	"fmt"

	"github.com/tcpaudit/tcpaudit/rules"
	"github.com/tcpaudit/tcpaudit/sysctlconf"
)

func removedKey() Check {
	return Check{
		Rule: rules.Rule{
			ID:       "lint-removed-key",
			Title:    "Keys removed from the kernel",
			Category: rules.Hardening,
			Severity: rules.Warning,
			Explanation: "Reports lines that set a key the kernel removed, such as net.ipv4.tcp_tw_recycle (removed " +
				"in Linux 4.12): sysctl -p fails on such a line and systemd-sysctl skips it.",
		},
		Run: removedKeys,
	}
}

func removedKeys(in *Input) []rules.Finding {
	var out []rules.Finding
	for _, e := range in.assignments() {
		lim, ok := sysctlconf.Known(e.Key)
		if !ok || lim.Removed == "" {
			continue
		}
		out = append(out, rules.Finding{
			Title:    fmt.Sprintf("%s was removed in Linux %s", e.Key, lim.Removed),
			Observed: fmt.Sprintf("%s sets %s = %s", where(e), e.Key, e.Value), Expected: "no line for a removed key",
			Explanation: removedWhy(e.Key),
			Fix:         rules.Fix{Advice: fmt.Sprintf("Delete the line at %s.", where(e))},
			Location:    at(e),
		})
	}
	return out
}

// removedWhy explains a removed key; tcp_tw_recycle has the explanation of
// the rule tw-recycle-enabled.
func removedWhy(key string) string {
	if sysctlconf.Canonical(key) == "net.ipv4.tcp_tw_recycle" {
		return rules.TwRecycleExplanation
	}
	return "The key no longer exists on current kernels: sysctl -p fails on the line and systemd-sysctl skips it."
}
