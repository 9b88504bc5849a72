package rules

import (
	"fmt"

	"github.com/tcpaudit/tcpaudit/audit"
)

const twReuseTimestampsWhy = `tcp_tw_reuse only reuses a TIME_WAIT entry whose connection ` +
	`recorded a peer timestamp (tw_ts_recent_stamp non-zero), so with tcp_timestamps = 0 ` +
	`it never takes effect. Timestamps also protect against wrapped sequence numbers ` +
	`(PAWS); the default mode 1 already randomizes their offset per connection, so ` +
	`disabling them is not a hardening measure.`

func twReuseNeedsTimestamps() Rule {
	return Rule{
		ID:          "tw-reuse-needs-timestamps",
		Title:       "tcp_tw_reuse is on but tcp_timestamps is off",
		Category:    Lifecycle,
		Severity:    Warning,
		Keys:        []string{keyTwReuse, keyTimestamps},
		Explanation: twReuseTimestampsWhy,
		References: []string{
			"net/ipv4/tcp_ipv4.c tcp_twsk_unique",
			"Documentation/networking/ip-sysctl.rst tcp_timestamps",
		},
		Check: checkTwReuseTimestamps,
	}
}

func checkTwReuseTimestamps(f *audit.Facts, _ Params) []Finding {
	reuse, _ := sysctlInt(f, keyTwReuse)
	ts, _ := sysctlInt(f, keyTimestamps)
	if reuse == 0 || ts != 0 {
		return nil
	}
	return []Finding{{
		Title:       "tcp_tw_reuse has no effect: tcp_timestamps is 0",
		Observed:    fmt.Sprintf("%s = %d, %s = 0", keyTwReuse, reuse, keyTimestamps),
		Evidence:    Evidence{"value": float64(reuse), "tcp_timestamps": 0},
		Expected:    fmt.Sprintf("%s = 1 when %s is not 0", keyTimestamps, keyTwReuse),
		Explanation: twReuseTimestampsWhy,
		Fix:         Fix{Sysctl: map[string]string{keyTimestamps: "1"}},
	}}
}
