package rules_test

import (
	"os"
	"testing"

	"github.com/tcpaudit/tcpaudit/profiles"
	"github.com/tcpaudit/tcpaudit/rules"
)

// mythIn returns the first myth of docs/kernel-facts.md §15 that text repeats: the
// product's own list (rules.RepeatsMyth), so the tests and explain check
// the same phrases.
func mythIn(text string) string { return rules.RepeatsMyth(text) }

func TestMythDetector(t *testing.T) {
	for _, myth := range []string{
		"Enable net.ipv4.tcp_tw_recycle to get rid of TIME_WAIT.",
		"Lower tcp_fin_timeout to reduce TIME_WAIT.",
		"net.core.somaxconn defaults to 128.",
		"Note that tcp_mem is in bytes.",
	} {
		if mythIn(myth) == "" {
			t.Errorf("the detector misses %q", myth)
		}
	}
}

// TestNoMyths checks every explanation of the catalog and every text of
// every finding that the fixture hosts produce under every built-in profile.
func TestNoMyths(t *testing.T) {
	for _, r := range rules.Catalog() {
		for _, text := range []string{r.Title, r.Explanation} {
			if m := mythIn(text); m != "" {
				t.Errorf("%s: explanation repeats the myth %q", r.ID, m)
			}
		}
	}
	hosts, err := os.ReadDir(hostsDir)
	if err != nil {
		t.Fatal(err)
	}
	findings := 0
	for _, h := range hosts {
		if !h.IsDir() || h.Name() == "gen" {
			continue
		}
		for _, profile := range profiles.Names() {
			for _, f := range evaluate(t, h.Name(), profile).Findings {
				findings++
				for _, text := range []string{f.Title, f.Observed, f.Expected, f.Explanation, f.Fix.Advice} {
					if m := mythIn(text); m != "" {
						t.Errorf("%s on %s (%s): finding repeats the myth %q in %q", f.Rule, h.Name(), profile, m, text)
					}
				}
			}
		}
	}
	if findings < len(rules.Catalog()) {
		t.Errorf("only %d findings checked: the fixture hosts should make every rule fail", findings)
	}
}
