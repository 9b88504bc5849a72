package rules

import (
	"fmt"
	"strings"

	"github.com/tcpaudit/tcpaudit/audit"
)

const secureRedirectsWhy = `secure_redirects matters only on an interface whose shared_media is 0. In ` +
	`__ip_do_redirect (net/ipv4/route.c) the checks that a redirect's new gateway is on-link ` +
	`and, with secure_redirects = 1, that some route on that interface already uses it as ` +
	`its gateway (ip_fib_check_default: any route, not only default routes) run only when ` +
	`shared_media (conf/all OR conf/<interface>) is 0. shared_media defaults to 1, and then ` +
	`a redirect to any unicast gateway is accepted whatever secure_redirects says. The ` +
	`control that works is accept_redirects = 0 (ipv4-redirects-accepted); where it is ` +
	`effectively 0, secure_redirects has no effect. The CIS and dev-sec baselines ask for ` +
	`secure_redirects = 0 together with accept_redirects = 0; where shared_media is 0, ` +
	`secure_redirects = 0 on its own accepts redirects to any on-link gateway. The kernel ` +
	`uses conf/all OR conf/<interface>: every interface must be 0, not only conf/all.`

func ipv4SecureRedirectsAccepted() Rule {
	c := confRule{
		family: "ipv4", setting: "secure_redirects", how: combineOr,
		accepted: fixed(0), recommended: fixedRec(0),
		problem: "secure_redirects is on",
		why:     secureRedirectsWhy,
		advice:  "Set accept_redirects to 0 as well (ipv4-redirects-accepted): that is the control that stops redirects. secure_redirects acts only where shared_media is 0 (the default is 1).",
	}
	return Rule{
		ID:           "ipv4-secure-redirects-accepted",
		Title:        "secure_redirects is on where the CIS and dev-sec baselines ask for 0",
		Category:     Hardening,
		Severity:     Info,
		Keys:         c.keys(),
		OptionalKeys: confRule{family: "ipv4", setting: "shared_media"}.keys(),
		Explanation:  secureRedirectsWhy,
		References: []string{
			`CIS Distribution Independent Linux v2.0.0, "Ensure secure ICMP redirects are not accepted"`,
			"dev-sec linux-baseline sysctl-15",
			"Documentation/networking/ip-sysctl.rst secure_redirects",
			"include/linux/inetdevice.h IN_DEV_SEC_REDIRECTS (OR of all and interface)",
			"net/ipv4/route.c __ip_do_redirect (secure_redirects checked only when shared_media is 0)",
			"net/ipv4/fib_semantics.c ip_fib_check_default (the gateway of any route on the device)",
			"docs/kernel-facts.md §13 (secure_redirects)",
		},
		Check: func(f *audit.Facts, p Params) []Finding { return withSharedMedia(f, c.check(f, p)) },
	}
}

// withSharedMedia adds each interface's effective shared_media to the
// findings' observation, where it could be read: secure_redirects is
// checked only where it is 0 (docs/kernel-facts.md §13).
func withSharedMedia(f *audit.Facts, found []Finding) []Finding {
	values := effectiveValues(f, "ipv4", "shared_media", combineOr)
	if len(found) == 0 || len(values) == 0 {
		return found
	}
	var on, off []string
	for _, v := range values {
		if v.Value != 0 {
			on = append(on, v.Device)
		} else {
			off = append(off, v.Device)
		}
	}
	var notes []string
	if len(on) > 0 {
		notes = append(notes, fmt.Sprintf("shared_media is on for %s, where secure_redirects has no effect", strings.Join(on, ", ")))
	}
	if len(off) > 0 {
		notes = append(notes, fmt.Sprintf("shared_media is 0 for %s, where secure_redirects applies", strings.Join(off, ", ")))
	}
	for i := range found {
		found[i].Observed += "; " + strings.Join(notes, "; ")
	}
	return found
}
