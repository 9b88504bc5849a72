package rules

import (
	"fmt"

	"github.com/tcpaudit/tcpaudit/audit"
)

const syncookiesWhy = `With tcp_syncookies = 1 the kernel answers with a SYN cookie when a ` +
	`listener's SYN queue overflows, so a SYN flood cannot lock legitimate clients out. ` +
	`With 0, overflowing requests are dropped (TcpExt TCPReqQFullDrop). Cookies are a ` +
	`fallback that only acts under overflow, not a capacity feature.`

func syncookiesDisabled() Rule {
	return Rule{
		ID:          "syncookies-disabled",
		Title:       "SYN cookies are disabled",
		Category:    Hardening,
		Severity:    Warning,
		Keys:        []string{keySyncookies},
		Explanation: syncookiesWhy,
		References: []string{
			"Documentation/networking/ip-sysctl.rst tcp_syncookies",
			"net/ipv4/tcp_input.c tcp_syn_flood_action",
			`CIS Distribution Independent Linux v2.0.0 3.2.8 "Ensure TCP SYN Cookies is enabled"`,
			"dev-sec linux-baseline sysctl-11",
		},
		Check: checkSyncookies,
	}
}

func checkSyncookies(f *audit.Facts, _ Params) []Finding {
	if v, _ := sysctlInt(f, keySyncookies); v != 0 {
		return nil
	}
	return []Finding{{
		Title:       "SYN cookies are disabled: a SYN flood locks clients out",
		Observed:    fmt.Sprintf("%s = 0", keySyncookies),
		Evidence:    Evidence{"value": 0, "recommended": 1},
		Expected:    fmt.Sprintf("%s = 1", keySyncookies),
		Explanation: syncookiesWhy,
		Fix:         Fix{Sysctl: map[string]string{keySyncookies: "1"}},
	}}
}
