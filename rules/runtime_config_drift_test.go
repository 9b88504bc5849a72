package rules_test

import (
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/rules"
)

// configDir holds, per fixture host, the sysctl.d tree its runtime values
// are compared with (runtime-config-drift).
const configDir = "testdata/runtime-config-drift"

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func TestRuntimeConfigDrift(t *testing.T) {
	tests := []struct {
		name       string
		runtime    map[string]string
		configured map[string]audit.Setting
		want       []rules.Location
	}{
		{"same", map[string]string{"net.ipv4.tcp_fin_timeout": "60"},
			map[string]audit.Setting{"net.ipv4.tcp_fin_timeout": {Value: "60", File: "/etc/sysctl.d/a.conf", Line: 2}}, nil},
		{"differs", map[string]string{"net.ipv4.tcp_fin_timeout": "120"},
			map[string]audit.Setting{"net.ipv4.tcp_fin_timeout": {Value: "60", File: "/etc/sysctl.d/a.conf", Line: 2}},
			[]rules.Location{{File: "/etc/sysctl.d/a.conf", Line: 2}}},
		{"whitespace and tabs", map[string]string{"net.ipv4.tcp_rmem": "4096 131072 6291456"},
			map[string]audit.Setting{"net.ipv4.tcp_rmem": {Value: "4096\t131072   6291456", File: "/x.conf", Line: 1}}, nil},
		{"integers by value", map[string]string{"net.core.somaxconn": "4096"},
			map[string]audit.Setting{"net.core.somaxconn": {Value: "04096", File: "/x.conf", Line: 1}}, nil},
		{"reserved ports as a set", map[string]string{"net.ipv4.ip_local_reserved_ports": "8080-8082,9000"},
			map[string]audit.Setting{"net.ipv4.ip_local_reserved_ports": {Value: "9000, 8080,8081-8082", File: "/x.conf", Line: 1}}, nil},
		{"key not on this kernel", map[string]string{},
			map[string]audit.Setting{"net.ipv4.tcp_tw_recycle": {Value: "1", File: "/x.conf", Line: 1}}, nil},
		{"only keys under the prefixes", map[string]string{"kernel.pid_max": "32768", "net.core.somaxconn": "128"},
			map[string]audit.Setting{
				"kernel.pid_max":     {Value: "4194304", File: "/usr/lib/sysctl.d/50-pid-max.conf", Line: 16},
				"net.core.somaxconn": {Value: "4096", File: "/etc/sysctl.d/90-net.conf", Line: 3},
			},
			[]rules.Location{{File: "/etc/sysctl.d/90-net.conf", Line: 3}}},
	}
	r, _ := rules.Lookup("runtime-config-drift")
	params := rules.Params{"prefixes": "net."}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &audit.Facts{Sysctls: tt.runtime, Configured: tt.configured}
			var got []rules.Location
			for _, fd := range r.Check(f, params) {
				got = append(got, *fd.Location)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("locations (-want +got):\n%s", d)
			}
		})
	}
}

// TestRuntimeConfigDriftAllKeys: an empty prefix list compares every key.
func TestRuntimeConfigDriftAllKeys(t *testing.T) {
	r, _ := rules.Lookup("runtime-config-drift")
	f := &audit.Facts{
		Sysctls:    map[string]string{"kernel.pid_max": "32768"},
		Configured: map[string]audit.Setting{"kernel.pid_max": {Value: "4194304", File: "/a.conf", Line: 1}},
	}
	if got := r.Check(f, rules.Params{"prefixes": ""}); len(got) != 1 {
		t.Errorf("findings = %d, want 1 for kernel.pid_max", len(got))
	}
}

// TestRuntimeConfigDriftSkipped: without a configuration tree the rule is
// skipped with a reason, never passed.
func TestRuntimeConfigDriftSkipped(t *testing.T) {
	f := gather(t, "tw-overflow")
	res := rules.NewEngine().Evaluate(f, rules.Config{Profile: "p", Rules: map[string]rules.RuleConfig{"runtime-config-drift": {Enabled: true}}})
	for _, e := range res.Evaluations {
		if e.Rule == "runtime-config-drift" && (e.Status != rules.Skipped || e.Reason == "") {
			t.Errorf("without a sysctl.d tree: %s %q, want skipped with a reason", e.Status, e.Reason)
		}
	}
}
