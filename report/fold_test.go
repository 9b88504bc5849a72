package report

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/netns"
	"github.com/tcpaudit/tcpaudit/rules"
)

// TestTextFoldsOnlyIdentical: two namespaces leaking CLOSE_WAIT through
// different processes, and with different fin_timeout and somaxconn
// values, keep each one's owner and value in the text; a finding alike in
// both (same text, evidence and fix) is folded once.
func TestTextFoldsOnlyIdentical(t *testing.T) {
	leak := func(ns string, pid, n int) rules.Finding {
		return rules.Finding{Rule: "close-wait-accumulation", Severity: rules.Warning, Namespace: ns,
			Title: "CLOSE_WAIT sockets accumulate", Observed: strconv.Itoa(n) + " sockets in CLOSE_WAIT",
			Evidence: rules.Evidence{"close_wait": float64(n)},
			Fix:      rules.Fix{Advice: "close the sockets", Processes: []audit.Owner{{PID: pid, Command: "python3", Sockets: n}}}}
	}
	sysctl := func(ns, rule, key, v string) rules.Finding {
		return rules.Finding{Rule: rule, Severity: rules.Warning, Namespace: ns, Title: rule,
			Observed: key + " = " + v, Fix: rules.Fix{Sysctl: map[string]string{key: "60"}}}
	}
	same := func(ns string) rules.Finding {
		return rules.Finding{Rule: "syncookies-disabled", Severity: rules.Warning, Namespace: ns, Title: "syncookies off",
			Observed: "net.ipv4.tcp_syncookies = 0", Fix: rules.Fix{Sysctl: map[string]string{"net.ipv4.tcp_syncookies": "1"}}}
	}
	res := rules.Result{Profile: "baseline", Namespaces: []rules.Namespace{
		{ID: "net:[1]", Identity: netns.Identity{Kind: netns.KindNamed, Name: "nu-a"}},
		{ID: "net:[2]", Identity: netns.Identity{Kind: netns.KindNamed, Name: "nu-b"}},
	}}
	for i, ns := range []string{"net:[1]", "net:[2]"} {
		pid, n, fin, somax := []int{17565, 16816}[i], []int{150, 120}[i], []string{"120", "200"}[i], []string{"64", "32"}[i]
		res.Findings = append(res.Findings, leak(ns, pid, n),
			sysctl(ns, "fin-timeout", "net.ipv4.tcp_fin_timeout", fin),
			sysctl(ns, "somaxconn-low", "net.core.somaxconn", somax), same(ns))
	}
	var b bytes.Buffer
	if err := (Text{}).Write(&b, res); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"pid 17565 (python3): 150 sockets", "pid 16816 (python3): 120 sockets",
		"net.ipv4.tcp_fin_timeout = 120", "net.ipv4.tcp_fin_timeout = 200",
		"net.core.somaxconn = 64", "net.core.somaxconn = 32",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("want %q in:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "syncookies-disabled fails in 2 namespaces: nu-a, nu-b"); n != 1 {
		t.Errorf("the finding alike in both is folded %d times, want once:\n%s", n, out)
	}
	if strings.Contains(out, "close-wait-accumulation fails in 2") || strings.Count(out, "net.ipv4.tcp_syncookies = 0") != 1 {
		t.Errorf("want only the identical finding folded:\n%s", out)
	}
}
