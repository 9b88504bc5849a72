package rules

import (
	"fmt"

	"github.com/tcpaudit/tcpaudit/audit"
)

const ipForwardWhy = `net.ipv4.ip_forward = 1 makes the host route IPv4 packets between its ` +
	`interfaces. A host that is not meant to be a router should not forward. Docker, ` +
	`Kubernetes nodes and most container runtimes need forwarding on: turning it off ` +
	`cuts their containers off the network, so those roles use a profile that requires ` +
	`it (kubernetes-node). Changing ip_forward (writing a value other than the current one) ` +
	`also sets every interface's forwarding flag and conf/default/forwarding to the new ` +
	`value and conf/all/accept_redirects to the opposite one; writing the same value ` +
	`changes nothing.`

func ipForwarding() Rule {
	s := forwardRule{scalarRule{
		key: "net.ipv4.ip_forward", accepted: acceptedParam, recommended: recommendedParam,
		boolean: true,
		problem: "IPv4 forwarding differs from the profile",
		why:     ipForwardWhy,
		advice: "If this host runs Docker or is a Kubernetes node, forwarding is required: use the kubernetes-node profile. " +
			"Changing ip_forward resets conf/all/accept_redirects and every interface's forwarding: " +
			"apply it before the redirect settings (sysctl -p applies in file order; run it again after a change).",
	}}
	return Rule{
		ID:          "ip-forwarding",
		Title:       "IPv4 forwarding differs from the host's role",
		Category:    Hardening,
		Severity:    Warning,
		Keys:        []string{s.key},
		Params:      forwardParams("ip_forward"),
		Explanation: ipForwardWhy,
		References: []string{
			`CIS Distribution Independent Linux v2.0.0 3.1.1 "Ensure IP forwarding is disabled"`,
			"dev-sec linux-baseline sysctl-01",
			"Documentation/networking/ip-sysctl.rst ip_forward",
			"net/ipv4/devinet.c devinet_sysctl_forward, inet_forward_change (only on a change)",
			"Kubernetes container runtime prerequisites (net.ipv4.ip_forward = 1)",
		},
		Check: s.check,
	}
}

// forwardRule is a scalar rule whose passing value can be what the host's
// role needs; then it says so with an informational finding, accepted
// (waived) by the profile so that it never fails a run, instead of staying
// silent: a reader sees why a hardening guide's advice was not applied.
type forwardRule struct{ scalarRule }

func forwardParams(what string) []Param {
	return append(acceptParams(what), Param{Name: "note", Kind: StringParam,
		Doc: "why the role needs the accepted value; reported as info when non-empty"})
}

func (r forwardRule) check(f *audit.Facts, p Params) []Finding {
	if found := r.scalarRule.check(f, p); len(found) > 0 {
		if p.String("note") != "" {
			found[0].Explanation += " " + p.String("note")
		}
		return found
	}
	v, ok := sysctlInt(f, r.key)
	if !ok || p.String("note") == "" {
		return nil
	}
	return []Finding{{
		Severity:    Info,
		Title:       fmt.Sprintf("%s = %d, as the profile's role requires", r.key, v),
		Observed:    fmt.Sprintf("%s = %d", r.key, v),
		Evidence:    Evidence{"value": float64(v)},
		Expected:    fmt.Sprintf("%s = %s", r.key, joinInts(r.accepted(p))),
		Explanation: p.String("note"),
		Waived:      "accepted by the profile: the host's role needs this value",
	}}
}
