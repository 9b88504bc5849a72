package rules

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/tcpaudit/tcpaudit/audit"
)

const runtimeConfigDriftWhy = `The running kernel holds a value that differs from what the sysctl ` +
	`configuration (sysctl.d and the files systemd-sysctl reads) sets, so the value changes at ` +
	`the next boot or the next "sysctl --system": someone set it by hand with sysctl -w, a ` +
	`program changed it, or the configuration was edited and never applied. Whichever value ` +
	`is right, the two should agree, or the host behaves differently after a reboot.`

func runtimeConfigDrift() Rule {
	return Rule{
		ID:       "runtime-config-drift",
		Title:    "Runtime sysctl differs from the boot configuration",
		Category: Hardening,
		Severity: Warning,
		Needs:    []audit.Source{audit.SourceConfig},
		Params: []Param{
			{Name: "prefixes", Kind: StringParam, Doc: "comma-separated key prefixes compared (\"net.\" for the network keys); empty compares every configured key"},
		},
		Explanation: runtimeConfigDriftWhy,
		References: []string{
			"man 5 sysctl.d (systemd): precedence of /etc, /run, /usr/local/lib, /usr/lib",
			"man 8 sysctl (procps-ng): sysctl --system",
		},
		Check: checkRuntimeConfigDrift,
	}
}

func checkRuntimeConfigDrift(f *audit.Facts, p Params) []Finding {
	prefixes := strings.FieldsFunc(p.String("prefixes"), func(r rune) bool { return r == ',' || r == ' ' })
	keys := make([]string, 0, len(f.Configured))
	for k := range f.Configured {
		if len(prefixes) == 0 || slices.ContainsFunc(prefixes, func(pre string) bool { return strings.HasPrefix(k, pre) }) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var out []Finding
	for _, k := range keys {
		set := f.Configured[k]
		runtime, ok := f.Sysctls[k]
		if !ok || SameSysctlValue(k, runtime, set.Value) {
			continue
		}
		where := fmt.Sprintf("%s:%d", set.File, set.Line)
		out = append(out, Finding{
			Title:       fmt.Sprintf("%s is %s now but %s sets %s at boot", k, strconv.Quote(runtime), where, strconv.Quote(set.Value)),
			Observed:    fmt.Sprintf("%s = %s (runtime)", k, runtime),
			Expected:    fmt.Sprintf("%s = %s (%s)", k, set.Value, where),
			Explanation: runtimeConfigDriftWhy,
			Fix: Fix{Advice: fmt.Sprintf("If the configured value is right, apply it now (sysctl -w %s=%s); if the runtime value is right, change %s to it.",
				k, strconv.Quote(set.Value), where)},
			Location: &Location{File: set.File, Line: set.Line},
		})
	}
	return out
}

// SameSysctlValue reports whether a runtime and a configured value are
// equal as the kernel reads them: whitespace-separated fields, integers by
// value, and ip_local_reserved_ports as a set of ports.
func SameSysctlValue(key, runtime, configured string) bool {
	a, b := strings.Fields(runtime), strings.Fields(configured)
	if strings.Join(a, " ") == strings.Join(b, " ") {
		return true
	}
	if key == keyReservedPorts {
		pa, okA := reservedPortList(runtime)
		pb, okB := reservedPortList(configured)
		return okA && okB && pa == pb
	}
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, errA := strconv.ParseInt(a[i], 10, 64)
		y, errB := strconv.ParseInt(b[i], 10, 64)
		if errA != nil || errB != nil || x != y {
			return false
		}
	}
	return true
}

// reservedPortList expands "1,2-4,10" into a canonical sorted list of ports.
func reservedPortList(s string) (string, bool) {
	seen := map[int]bool{}
	for _, part := range strings.Split(strings.Join(strings.Fields(s), ""), ",") {
		if part == "" {
			continue
		}
		lo, hi, isRange := strings.Cut(part, "-")
		if !isRange {
			hi = lo
		}
		a, errA := strconv.Atoi(lo)
		b, errB := strconv.Atoi(hi)
		if errA != nil || errB != nil || a > b || b > 65535 {
			return "", false
		}
		for p := a; p <= b; p++ {
			seen[p] = true
		}
	}
	ports := make([]int, 0, len(seen))
	for p := range seen {
		ports = append(ports, p)
	}
	sort.Ints(ports)
	return fmt.Sprint(ports), true
}
