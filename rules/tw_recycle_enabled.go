package rules

import (
	"fmt"

	"github.com/tcpaudit/tcpaudit/audit"
)

// TwRecycleExplanation says why no configuration should set tcp_tw_recycle:
// the rule tw-recycle-enabled and lint's removed-key check both give it.
const TwRecycleExplanation = `tcp_tw_recycle remembered the last TCP timestamp of each remote host and ` +
	`dropped SYNs whose timestamp was not newer. Clients behind one NAT address have ` +
	`unrelated timestamp clocks, so their connection attempts were silently dropped; once ` +
	`timestamp offsets were randomized per connection it broke for everyone. It was removed ` +
	`in Linux 4.12 (commit 4396e46187ca "tcp: remove tcp_tw_recycle"); on 4.12 and later the ` +
	`key does not exist and a sysctl.conf line setting it makes "sysctl -p" fail. It never ` +
	`was a TIME_WAIT tuning knob to recommend.`

func twRecycleEnabled() Rule {
	return Rule{
		ID:           "tw-recycle-enabled",
		Title:        "tcp_tw_recycle is enabled (breaks clients behind NAT)",
		Category:     Lifecycle,
		Severity:     Critical,
		OptionalKeys: []string{keyTwRecycle},
		Explanation:  TwRecycleExplanation,
		References: []string{
			"commit 4396e46187ca5070219b81773c4e65088dac50cc (Linux 4.12)",
			"docs/kernel-facts.md §6",
		},
		Check: checkTwRecycle,
	}
}

func checkTwRecycle(f *audit.Facts, _ Params) []Finding {
	v, present := sysctlInt(f, keyTwRecycle)
	if !present {
		return nil
	}
	if f.Kernel.Known && f.Kernel.AtLeast(4, 12) {
		return []Finding{{
			Severity:    Warning,
			Title:       "tcp_tw_recycle is present on a kernel that removed it",
			Observed:    fmt.Sprintf("%s = %d on kernel %s", keyTwRecycle, v, f.Kernel.Release),
			Evidence:    Evidence{"value": float64(v)},
			Expected:    "no tcp_tw_recycle key on Linux 4.12 or later",
			Explanation: TwRecycleExplanation + " A live 4.12+ kernel cannot show this key: the proc tree mixes files from different kernels.",
			Fix:         Fix{Advice: "Check where this proc tree came from; remove tcp_tw_recycle from every sysctl.conf file."},
		}}
	}
	if v == 0 {
		return nil
	}
	return []Finding{{
		Title:       "tcp_tw_recycle is enabled: clients behind NAT lose connections",
		Observed:    fmt.Sprintf("%s = %d on kernel %s", keyTwRecycle, v, f.Kernel.Release),
		Expected:    fmt.Sprintf("%s = 0", keyTwRecycle),
		Evidence:    Evidence{"value": float64(v), "recommended": 0},
		Explanation: TwRecycleExplanation,
		Fix: Fix{
			Sysctl: map[string]string{keyTwRecycle: "0"},
			Advice: "Disable it now and delete the line from sysctl.conf: the key is gone on 4.12 and later.",
		},
	}}
}
