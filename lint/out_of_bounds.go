package lint

import (
	"fmt"

	"github.com/tcpaudit/tcpaudit/rules"
	"github.com/tcpaudit/tcpaudit/sysctlconf"
)

func outOfBounds() Check {
	return Check{
		Rule: rules.Rule{
			ID:       "lint-out-of-bounds",
			Title:    "Values the kernel rejects",
			Category: rules.Hardening,
			Severity: rules.Warning,
			Explanation: "Reports values outside the kernel's bounds, for the keys whose bounds tcpaudit knows: " +
				"the kernel rejects the write, so the key keeps its previous value.",
		},
		Run: outOfBoundsValues,
	}
}

func outOfBoundsValues(in *Input) []rules.Finding {
	var out []rules.Finding
	for _, e := range in.assignments() {
		err := sysctlconf.Check(e.Key, e.Value)
		if err == nil {
			continue
		}
		out = append(out, rules.Finding{
			Title:    err.Error(),
			Observed: fmt.Sprintf("%s sets %s = %s", where(e), e.Key, e.Value), Expected: "a value within the kernel's bounds",
			Explanation: "The kernel rejects the write with EINVAL, so the key keeps its previous value and both " +
				"systemd-sysctl and sysctl -p exit 1.",
			Location: at(e),
		})
	}
	return out
}
