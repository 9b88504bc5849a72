package rules_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/profiles"
	"github.com/tcpaudit/tcpaudit/rules"
)

// TestTwRecycleByKernel: the key was removed in 4.12. Set on an older
// kernel it is critical; present at all on 4.12 or later, the proc tree
// mixes kernels.
func TestTwRecycleByKernel(t *testing.T) {
	r, _ := rules.Lookup("tw-recycle-enabled")
	cfg, err := profiles.Load("baseline")
	if err != nil {
		t.Fatal(err)
	}
	engine := rules.Engine{Rules: []rules.Rule{r}}
	tests := []struct {
		release string
		value   string // "" = key absent
		want    []string
	}{
		{"6.1.0-28-amd64", "", nil},
		{"4.9.0-19-amd64", "0", nil},
		{"4.9.0-19-amd64", "1", []string{"critical"}},
		{"4.11.12", "1", []string{"critical"}},
		{"4.12.0", "0", []string{"warning"}},
		{"6.12.48+deb13-amd64", "1", []string{"warning"}},
	}
	for _, tc := range tests {
		f := audit.NewFacts(audit.Facts{Kernel: audit.ParseRelease(tc.release), Sysctls: map[string]string{}}, audit.SourceRelease)
		if tc.value != "" {
			f.Sysctls["net.ipv4.tcp_tw_recycle"] = tc.value
		}
		res := engine.Evaluate(f, cfg)
		if diff := cmp.Diff(tc.want, severities(res.Findings)); diff != "" {
			t.Errorf("kernel %s, tcp_tw_recycle %q (-want +got):\n%s", tc.release, tc.value, diff)
		}
		for _, fd := range res.Findings {
			if v, ok := fd.Fix.Sysctl["net.ipv4.tcp_tw_recycle"]; ok && v != "0" {
				t.Errorf("fix sets tcp_tw_recycle = %s", v)
			}
		}
	}
}
