package rules_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/pipeline"
	"github.com/tcpaudit/tcpaudit/profiles"
	"github.com/tcpaudit/tcpaudit/rules"
)

// hostsDir holds the fixture proc trees (testdata/hosts/gen writes them).
const hostsDir = "../testdata/hosts"

// failingHost names, for every rule, a fixture host on which the baseline
// profile makes it fail. Every rule passes on "healthy".
var failingHost = map[string]string{
	"close-wait-accumulation":        "close-wait-leak",
	"time-wait-bucket-pressure":      "tw-overflow",
	"ephemeral-port-range":           "misconfigured",
	"listen-port-in-ephemeral-range": "misconfigured",
	"ephemeral-port-exhaustion":      "port-exhaustion",
	"tw-recycle-enabled":             "old-kernel-tw-recycle",
	"tw-reuse":                       "old-kernel-tw-recycle",
	"tw-reuse-needs-timestamps":      "misconfigured",
	"fin-timeout":                    "misconfigured",
	"listen-queue-overflow":          "listen-overflow",
	"conntrack-table-pressure":       "conntrack-full",
	"conntrack-tcp-timeouts":         "conntrack-full",
	"syncookies-disabled":            "misconfigured",
	"somaxconn-low":                  "misconfigured",
	"orphan-pressure":                "memory-pressure",
	"tcp-memory-pressure":            "memory-pressure",
	"runtime-config-drift":           "misconfigured",
}

var kebab = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

func TestCatalogShape(t *testing.T) {
	seen := map[string]bool{}
	categories := map[string]bool{rules.Lifecycle: true, rules.Capacity: true, rules.Hardening: true, rules.Performance: true}
	for _, r := range rules.Catalog() {
		if seen[r.ID] {
			t.Errorf("duplicate rule ID %q", r.ID)
		}
		seen[r.ID] = true
		if !kebab.MatchString(r.ID) {
			t.Errorf("rule ID %q is not kebab-case", r.ID)
		}
		if strings.TrimSpace(r.Title) == "" || strings.TrimSpace(r.Explanation) == "" || len(r.References) == 0 {
			t.Errorf("%s: title, explanation and references must not be empty", r.ID)
		}
		if !categories[r.Category] {
			t.Errorf("%s: category %q is not one of lifecycle, capacity, hardening, performance", r.ID, r.Category)
		}
		if _, err := r.Severity.MarshalText(); err != nil {
			t.Errorf("%s: default severity: %v", r.ID, err)
		}
		if r.Check == nil {
			t.Errorf("%s: no Check function", r.ID)
		}
		file := strings.ReplaceAll(r.ID, "-", "_") + ".go"
		if _, err := os.Stat(file); err != nil {
			t.Errorf("%s: the rule should live in %s: %v", r.ID, file, err)
		}
		if l, ok := rules.Lookup(r.ID); !ok || l.ID != r.ID {
			t.Errorf("Lookup(%q) does not find the rule", r.ID)
		}
	}
}

// facts caches the gathered facts of each fixture host.
var facts = struct {
	sync.Mutex
	m map[string]*audit.Facts
}{m: map[string]*audit.Facts{}}

func gather(t *testing.T, host string) *audit.Facts {
	t.Helper()
	facts.Lock()
	defer facts.Unlock()
	if f, ok := facts.m[host]; ok {
		return f
	}
	// The audit pipeline gathers the facts, with the host's sysctl.d tree
	// when it has one (runtime-config-drift), as `tcpaudit check` does.
	o := pipeline.Options{ProcRoot: filepath.Join(hostsDir, host)}
	if root := filepath.Join(configDir, host); exists(root) {
		o.SysctlRoot = root
	}
	a, err := pipeline.Run(context.Background(), o)
	if err != nil {
		t.Fatalf("gather %s: %v", host, err)
	}
	f := a.Facts
	facts.m[host] = f
	return f
}

func evaluate(t *testing.T, host, profile string) rules.Result {
	t.Helper()
	cfg, err := profiles.Load(profile)
	if err != nil {
		t.Fatal(err)
	}
	return rules.NewEngine().Evaluate(gather(t, host), cfg)
}

func status(res rules.Result, id string) rules.Status {
	for _, e := range res.Evaluations {
		if e.Rule == id {
			return e.Status
		}
	}
	return "missing"
}

// TestEveryRuleHasFixtures: each rule fails on its fixture host and passes
// on the healthy one, with the baseline profile.
func TestEveryRuleHasFixtures(t *testing.T) {
	healthy := evaluate(t, "healthy", "baseline")
	for _, r := range rules.Catalog() {
		t.Run(r.ID, func(t *testing.T) {
			if p, ok := profileRules[r.ID]; ok {
				t.Skipf("TestHardeningFixtures checks it with %s on its own fixture hosts", p.profile)
			}
			if got := status(healthy, r.ID); got != rules.Passed {
				t.Errorf("on healthy: %s, want passed", got)
			}
			host, ok := failingHost[r.ID]
			if !ok {
				t.Fatalf("no failing fixture host: add one under testdata/hosts and to failingHost")
			}
			res := evaluate(t, host, "baseline")
			if got := status(res, r.ID); got != rules.Failed {
				t.Errorf("on %s: %s, want failed", host, got)
			}
			for _, f := range res.Findings {
				if f.Rule == r.ID && (f.Title == "" || f.Observed == "" || f.Expected == "" || f.Explanation == "") {
					t.Errorf("on %s: finding with an empty title, observed, expected or explanation: %+v", host, f)
				}
			}
		})
	}
	if len(failingHost)+len(profileRules) != len(rules.Catalog()) {
		t.Errorf("failingHost and profileRules have %d entries for %d rules: remove rules that no longer exist", len(failingHost)+len(profileRules), len(rules.Catalog()))
	}
}
