package profiles_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tcpaudit/tcpaudit/profiles"
	"github.com/tcpaudit/tcpaudit/rules"
)

// TestBuiltinProfilesLoad resolves every built-in profile and checks that
// each configured rule has every parameter its declaration asks for.
func TestBuiltinProfilesLoad(t *testing.T) {
	names := profiles.Names()
	for _, want := range []string{"baseline", "web-server", "client-heavy"} {
		if !contains(names, want) {
			t.Errorf("built-in profiles %v lack %s", names, want)
		}
	}
	for _, name := range names {
		cfg, err := profiles.Load(name)
		if err != nil {
			t.Errorf("Load(%s): %v", name, err)
			continue
		}
		if cfg.Profile != name || len(cfg.Rules) == 0 {
			t.Errorf("Load(%s) = profile %q with %d rules", name, cfg.Profile, len(cfg.Rules))
		}
		for id, rc := range cfg.Rules {
			rule, ok := rules.Lookup(id)
			if !ok {
				t.Errorf("%s: rule %s not in the catalog", name, id)
				continue
			}
			for _, p := range rule.Params {
				if _, ok := rc.Params[p.Name]; !ok {
					t.Errorf("%s: rule %s lacks parameter %s", name, id, p.Name)
				}
			}
		}
	}
}

// TestDefaultProfile checks that an empty spec means baseline.
func TestDefaultProfile(t *testing.T) {
	got, err := profiles.Load(" , ")
	if err != nil {
		t.Fatal(err)
	}
	want, err := profiles.Load(profiles.Default)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("empty spec vs %s (-want +got):\n%s", profiles.Default, d)
	}
}

// TestExtendsMergesParams checks that web-server overrides one parameter
// of a rule and inherits the others from baseline.
func TestExtendsMergesParams(t *testing.T) {
	base := mustLoad(t, "baseline")
	web := mustLoad(t, "web-server")
	cw := web.Rules["close-wait-accumulation"].Params
	if d := cmp.Diff(rules.Params{"warning": int64(50), "critical": int64(1000), "top": int64(5), "stuck_after": int64(60)}, cw); d != "" {
		t.Errorf("close-wait-accumulation params (-want +got):\n%s", d)
	}
	if got := web.Rules["somaxconn-low"].Params.Int("min"); got != 4096 {
		t.Errorf("somaxconn-low min = %d, want 4096", got)
	}
	if got := base.Rules["somaxconn-low"].Params.Int("min"); got != 128 {
		t.Errorf("baseline somaxconn-low min = %d, want 128", got)
	}
	if got := base.Rules["somaxconn-low"].Params.Severity("below_default"); got != rules.Info {
		t.Errorf("baseline somaxconn-low below_default = %v, want info", got)
	}
	if got := web.Rules["somaxconn-low"].Params.Severity("below_default"); got != rules.Warning {
		t.Errorf("web-server somaxconn-low below_default = %v, want warning", got)
	}
	if d := cmp.Diff(base.Rules["ephemeral-port-range"], web.Rules["ephemeral-port-range"]); d != "" {
		t.Errorf("ephemeral-port-range should be inherited unchanged (-baseline +web-server):\n%s", d)
	}
	if web.Rules["listen-port-in-ephemeral-range"].Severity != rules.Warning ||
		base.Rules["listen-port-in-ephemeral-range"].Severity != rules.Info {
		t.Error("web-server should raise listen-port-in-ephemeral-range from info to warning")
	}
}

// TestCombinedProfiles applies web-server then client-heavy: the later
// profile wins where both speak, and the earlier one's settings survive
// where the later one is silent (their shared baseline does not reset them).
func TestCombinedProfiles(t *testing.T) {
	cfg := mustLoad(t, "web-server,client-heavy")
	if cfg.Profile != "web-server,client-heavy" {
		t.Errorf("profile = %q", cfg.Profile)
	}
	checks := []struct {
		rule, param string
		want        int64
	}{
		{"close-wait-accumulation", "warning", 50}, // web-server
		{"close-wait-accumulation", "critical", 1000},
		{"somaxconn-low", "min", 4096}, // web-server
		{"fin-timeout", "max", 60},     // baseline: every profile agrees
		{"ephemeral-port-range", "min_ports", 50000},
		{"tw-reuse", "recommended", 1}, // client-heavy
	}
	for _, c := range checks {
		if got := cfg.Rules[c.rule].Params.Int(c.param); got != c.want {
			t.Errorf("%s %s = %d, want %d", c.rule, c.param, got, c.want)
		}
	}
	if got := cfg.Rules["ephemeral-port-exhaustion"].Params.Float("warning_share"); got != 0.3 {
		t.Errorf("ephemeral-port-exhaustion warning_share = %v, want 0.3 (client-heavy)", got)
	}
	if got := cfg.Rules["tw-reuse"].Severity; got != rules.Warning {
		t.Errorf("tw-reuse severity = %v, want warning (client-heavy)", got)
	}
	reversed := mustLoad(t, "client-heavy,web-server")
	if got := reversed.Rules["tw-reuse"].Params.Int("recommended"); got != 1 {
		t.Errorf("client-heavy,web-server: tw-reuse recommended = %d, want 1 (web-server is silent)", got)
	}
}

// TestUnknownProfile names the built-in profiles.
func TestUnknownProfile(t *testing.T) {
	_, err := profiles.Load("baseline,no-such-profile")
	if err == nil || !strings.Contains(err.Error(), "no-such-profile") || !strings.Contains(err.Error(), "baseline") {
		t.Errorf("err = %v, want it to name the unknown profile and the built-in ones", err)
	}
}

func mustLoad(t *testing.T, spec string, files ...string) rules.Config {
	t.Helper()
	cfg, err := profiles.Load(spec, files...)
	if err != nil {
		t.Fatalf("Load(%s): %v", spec, err)
	}
	return cfg
}

// writeProfile writes a user profile file NAME.yaml into dir.
func writeProfile(t *testing.T, dir, name, body string) string {
	t.Helper()
	path := filepath.Join(dir, name+".yaml")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
