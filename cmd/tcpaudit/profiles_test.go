package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tcpaudit/tcpaudit/profiles"
)

func TestProfilesList(t *testing.T) {
	code, out, errOut := runCLI(t, "profiles")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, name := range []string{"baseline", "web-server", "client-heavy", "high-throughput", "hardened", "kubernetes-node"} {
		if !strings.Contains(out, "\n"+name+" ") {
			t.Errorf("profiles does not list %s:\n%s", name, out)
		}
	}
}

// TestProfilesShowRoundTrip: the resolved profile printed by show, loaded
// back as a user profile, resolves to the same configuration.
func TestProfilesShowRoundTrip(t *testing.T) {
	for _, spec := range []string{"baseline", "kubernetes-node", "web-server,hardened"} {
		code, out, errOut := runCLI(t, "profiles", "show", spec)
		if code != 0 {
			t.Fatalf("show %s: exit %d: %s", spec, code, errOut)
		}
		file := filepath.Join(t.TempDir(), "resolved.yaml")
		if err := os.WriteFile(file, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
		p, err := profiles.ReadFile(file)
		if err != nil {
			t.Fatalf("show %s output is not a profile: %v\n%s", spec, err, out)
		}
		want, err := profiles.Load(spec)
		if err != nil {
			t.Fatal(err)
		}
		got, err := profiles.Load(p.Name, file)
		if err != nil {
			t.Fatal(err)
		}
		for id, rc := range want.Rules {
			g := got.Rules[id]
			if rc.Enabled != g.Enabled || !cmp.Equal(rc.Params, g.Params) {
				t.Errorf("%s: rule %s: want %+v, got %+v", spec, id, rc, g)
			}
		}
		if len(got.Rules) != len(want.Rules) {
			t.Errorf("%s: %d rules after the round trip, want %d", spec, len(got.Rules), len(want.Rules))
		}
	}
}

// TestProfilesComposition: composed profiles keep each one's settings:
// web-server's somaxconn threshold and hardened's rules; kubernetes-node's
// forwarding requirement survives hardened named before it.
func TestProfilesComposition(t *testing.T) {
	_, out, _ := runCLI(t, "profiles", "show", "web-server,hardened")
	for _, want := range []string{"min: 4096", "rp-filter-disabled:", "ipv6-ra-accepted:"} {
		if !strings.Contains(out, want) {
			t.Errorf("web-server,hardened lacks %q:\n%s", want, out)
		}
	}
	_, out, _ = runCLI(t, "profiles", "show", "hardened,kubernetes-node")
	if !strings.Contains(out, "Kubernetes requires") {
		t.Errorf("hardened,kubernetes-node lost the kubernetes-node setting:\n%s", out)
	}
	if code, _, _ := runCLI(t, "profiles", "show", "nope"); code != exitError {
		t.Errorf("unknown profile: exit %d, want %d", code, exitError)
	}
}
