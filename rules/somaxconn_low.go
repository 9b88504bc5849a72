package rules

import (
	"fmt"
	"strconv"

	"github.com/tcpaudit/tcpaudit/audit"
)

// somaxconnCurrent is the default of net.core.somaxconn since Linux 5.4
// (SOMAXCONN in include/linux/socket.h); somaxconnOld is the default before.
const (
	somaxconnCurrent = 4096
	somaxconnOld     = 128
)

const somaxconnWhy = `net.core.somaxconn caps the backlog any application passes to ` +
	`listen(), and so the accept queue and the SYN-queue-full check of every listener. ` +
	`Its default is 4096 since Linux 5.4 (128 before), so on a current kernel a lower ` +
	`value was set on purpose, often 128 copied from configurations written for older ` +
	`kernels. A low value silently shrinks the backlog servers ask for, and bursts of ` +
	`connections overflow the listen queue. listen() clamps the backlog once, when it is ` +
	`called: a listener keeps the limit it got until it calls listen() again, so raising ` +
	`somaxconn helps only services started (or restarted) afterwards.`

func somaxconnLow() Rule {
	return Rule{
		ID:       "somaxconn-low",
		Title:    "net.core.somaxconn below the profile's minimum or the kernel's default",
		Category: Capacity,
		Severity: Warning,
		Keys:     []string{keySomaxconn},
		Params: []Param{
			{Name: "min", Kind: IntParam, Doc: "smallest acceptable net.core.somaxconn on any kernel; below it the finding is a warning"},
			{Name: "below_default", Kind: SeverityParam, Doc: "severity of a value at or above min but below the kernel's own default (4096 since Linux 5.4)"},
		},
		Explanation: somaxconnWhy,
		References: []string{
			"net/socket.c __sys_listen, __sys_listen_socket (the clamp, once per listen() call)",
			"net/ipv4/af_inet.c __inet_listen_sk; include/linux/socket.h SOMAXCONN",
			"docs/kernel-facts.md §9",
		},
		Check: checkSomaxconn,
	}
}

// somaxconnDefault is the kernel's own default: 4096 from Linux 5.4 on
// (and on a kernel whose version is unknown), 128 before.
func somaxconnDefault(k audit.Kernel) int64 {
	if k.AtLeast(5, 4) {
		return somaxconnCurrent
	}
	return somaxconnOld
}

func checkSomaxconn(f *audit.Facts, p Params) []Finding {
	v, _ := sysctlInt(f, keySomaxconn)
	limit, def := p.Int("min"), somaxconnDefault(f.Kernel)
	want := max(limit, def)
	if v >= want {
		return nil
	}
	fd := Finding{
		Severity:    Warning,
		Title:       fmt.Sprintf("somaxconn %d caps every listen backlog", v),
		Observed:    fmt.Sprintf("%s = %d", keySomaxconn, v),
		Evidence:    Evidence{"value": float64(v), "threshold": float64(want), "kernel_default": float64(def)},
		Expected:    fmt.Sprintf("%s >= %d", keySomaxconn, want),
		Explanation: somaxconnWhy,
		// 4096 is right on every kernel, so the fix of one profile never
		// trips another: older kernels accept it too.
		Fix: Fix{
			Sysctl: map[string]string{keySomaxconn: strconv.FormatInt(max(limit, somaxconnCurrent), 10)},
			Advice: "Restart the services that listen (or have them call listen() again): a listener keeps the limit it got at listen().",
		},
	}
	if v >= limit {
		fd.Severity = p.Severity("below_default")
		fd.Title = fmt.Sprintf("somaxconn %d is below this kernel's default of %d", v, def)
	}
	return []Finding{fd}
}
