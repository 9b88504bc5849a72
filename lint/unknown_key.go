package lint

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tcpaudit/tcpaudit/rules"
)

func unknownKey() Check {
	return Check{
		Rule: rules.Rule{
			ID:       "lint-unknown-key",
			Title:    "Keys this kernel does not have",
			Category: rules.Hardening,
			Severity: rules.Warning,
			Explanation: "Reports keys that are not under the proc root's sys/ directory: a misspelt key, a key of " +
				"an interface this host lacks, a global key outside the initial network namespace. Without a sys/ " +
				"directory, keys are looked up in the knowledge base of explain, and one it does not list is " +
				"information: it cannot be confirmed.",
		},
		Run: unknownKeys,
	}
}

// unknownKeys reports keys the kernel under the proc root does not have,
// or, without one, keys the knowledge base does not list.
func unknownKeys(in *Input) []rules.Finding {
	sys := filepath.Join(in.Options.ProcRoot, "sys")
	if st, err := os.Stat(sys); err != nil || !st.IsDir() {
		return in.unknownToKnowledge(sys)
	}
	var out []rules.Finding
	for _, e := range in.assignments() {
		if removed(e.Key) {
			continue
		}
		_, err := os.Stat(filepath.Join(sys, e.Path))
		if !errors.Is(err, fs.ErrNotExist) {
			continue
		}
		sev, what := rules.Warning, "does not exist on this kernel"
		if dev, ok := missingInterface(sys, e.Path); ok {
			sev, what = rules.Info, fmt.Sprintf("is for interface %s, which is not present here", dev)
		}
		if rules.IsGlobalKey(e.Key) {
			sev, what = rules.Info, "is not visible in this network namespace (a global key, present only in the initial namespace)"
		}
		if e.IgnoreFailure {
			sev = rules.Info
		}
		out = append(out, rules.Finding{
			Severity: sev, Title: fmt.Sprintf("%s %s", e.Key, what),
			Observed: fmt.Sprintf("%s sets %s, absent under %s", where(e), e.Key, sys), Expected: "a key the kernel has",
			Explanation: "systemd-sysctl logs and skips a missing key (exit 0); sysctl -p FILE fails on it with exit 1, even when the line " +
				"starts with '-' (procps 4.0), while sysctl --system skips it silently. " +
				"A misspelt key or an interface name with a dot written with '.' (eth0.1 instead of eth0/1) looks the same.",
			Location: at(e),
		})
	}
	return out
}

// unknownToKnowledge checks the keys against the knowledge base when no
// kernel is at hand (sys is not readable): a key the base does not list
// cannot be confirmed, which is information, not a warning, since the base
// lists only the keys tcpaudit reasons about.
func (in *Input) unknownToKnowledge(sys string) []rules.Finding {
	var out []rules.Finding
	for _, e := range in.assignments() {
		if removed(e.Key) || inKnowledge(e.Path) {
			continue
		}
		out = append(out, rules.Finding{
			Severity: rules.Info,
			Title:    fmt.Sprintf("%s cannot be confirmed: %s is not readable and the knowledge base does not list it", e.Key, sys),
			Observed: fmt.Sprintf("%s sets %s", where(e), e.Key), Expected: "a key the kernel has",
			Explanation: "Without a kernel to ask (--proc-root with a sys/ directory), keys are looked up in tcpaudit's " +
				"knowledge base of the network sysctls it reasons about. A key it does not list may exist; a misspelt key " +
				"or an interface name with a dot written with '.' (eth0.1 instead of eth0/1) looks the same. " +
				"Run lint where /proc/sys is the target kernel's to be sure.",
			Location: at(e),
		})
	}
	return out
}

// inKnowledge reports a key path (net/ipv4/tcp_fin_timeout) the knowledge
// base lists; a per-interface key counts when its conf/all form is listed.
// Only exact keys match: net/ipv4/conf/eth0/1/rp_filter (eth0.1 written
// with a dot) has one component too many and is not known.
func inKnowledge(path string) bool {
	p := strings.Split(path, "/")
	if len(p) == 5 && p[0] == "net" && p[2] == "conf" {
		p[3] = "all"
	}
	key := strings.Join(p, ".")
	return slices.ContainsFunc(rules.Keys(), func(k rules.KeyInfo) bool { return k.Key == key })
}

// missingInterface reports a per-interface key (net/ipv4/conf/DEV/x) whose
// setting exists for "all" while DEV is absent.
func missingInterface(sys, path string) (string, bool) {
	p := strings.Split(path, "/")
	if len(p) != 5 || p[0] != "net" || (p[2] != "conf" && p[2] != "neigh") {
		return "", false
	}
	all := "all"
	if p[2] == "neigh" {
		all = "default"
	}
	if _, err := os.Stat(filepath.Join(sys, p[0], p[1], p[2], all, p[4])); err != nil {
		return "", false
	}
	return p[3], true
}
