package rules

import (
	"fmt"
	"strconv"

	"github.com/tcpaudit/tcpaudit/audit"
)

const somaxconnWhy = `net.core.somaxconn caps the backlog any application passes to ` +
	`listen(), and so the accept queue and the SYN-queue-full check of every listener. ` +
	`Its default is 4096 since Linux 5.4 (128 before). A low value silently shrinks the ` +
	`backlog servers ask for, and bursts of connections overflow the listen queue.`

func somaxconnLow() Rule {
	return Rule{
		ID:       "somaxconn-low",
		Title:    "net.core.somaxconn below the profile's minimum",
		Category: Capacity,
		Severity: Warning,
		Keys:     []string{keySomaxconn},
		Params: []Param{
			{Name: "min", Kind: IntParam, Doc: "smallest acceptable net.core.somaxconn"},
		},
		Explanation: somaxconnWhy,
		References: []string{
			"net/socket.c __sys_listen",
			"Documentation/networking/ip-sysctl.rst somaxconn",
		},
		Check: checkSomaxconn,
	}
}

func checkSomaxconn(f *audit.Facts, p Params) []Finding {
	v, _ := sysctlInt(f, keySomaxconn)
	limit := p.Int("min")
	if v >= limit {
		return nil
	}
	return []Finding{{
		Title:       fmt.Sprintf("somaxconn %d caps every listen backlog", v),
		Observed:    fmt.Sprintf("%s = %d", keySomaxconn, v),
		Expected:    fmt.Sprintf("%s >= %d", keySomaxconn, limit),
		Explanation: somaxconnWhy,
		Fix:         Fix{Sysctl: map[string]string{keySomaxconn: strconv.FormatInt(limit, 10)}},
	}}
}
