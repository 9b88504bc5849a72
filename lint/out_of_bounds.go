package lint

import (
	"errors"
	"fmt"

	"github.com/tcpaudit/tcpaudit/rules"
	"github.com/tcpaudit/tcpaudit/sysctlconf"
)

func outOfBounds() Check {
	return Check{
		Rule: rules.Rule{
			ID:       "lint-out-of-bounds",
			Title:    "Values the kernel rejects or cuts short",
			Category: rules.Hardening,
			Severity: rules.Warning,
			Explanation: "Reports values the kernel does not take as written, for the keys whose bounds tcpaudit knows. " +
				"A value outside the bounds, or an integer followed by anything but whitespace, is rejected: the key keeps " +
				"its previous value. Text after the integers the key holds, past whitespace (a trailing comment, a second " +
				"number), is ignored: the key takes the leading integers and the write succeeds.",
		},
		Run: outOfBoundsValues,
	}
}

const (
	rejectedWhy = "The kernel rejects the write with EINVAL, so the key keeps its previous value and both " +
		"systemd-sysctl and sysctl -p exit 1."
	trailingWhy = "The kernel's integer parser (proc_dointvec) reads the integers the key holds and ignores " +
		"the text after them when whitespace comes first (docs/kernel-facts.md §32): the write succeeds, " +
		"systemd-sysctl and sysctl -p exit 0, and the key takes the leading integers. Neither program treats " +
		"text after the value as a comment, so the line says less than it seems to."
)

func outOfBoundsValues(in *Input) []rules.Finding {
	var out []rules.Finding
	for _, e := range in.assignments() {
		err := sysctlconf.Check(e.Key, e.Value)
		if err == nil {
			continue
		}
		fd := rules.Finding{
			Title:    err.Error(),
			Observed: fmt.Sprintf("%s sets %s = %s", where(e), e.Key, e.Value), Expected: "a value within the kernel's bounds",
			Explanation: rejectedWhy,
			Location:    at(e),
		}
		if te := (*sysctlconf.TrailingError)(nil); errors.As(err, &te) {
			fd.Expected = fmt.Sprintf("%s = %s, with nothing after it", e.Key, te.Value())
			fd.Explanation = trailingWhy
		}
		out = append(out, fd)
	}
	return out
}
