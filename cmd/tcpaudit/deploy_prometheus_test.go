package main

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// promtoolModule is the Prometheus release whose promtool checks the
// alerting rules in deploy/prometheus, fetched from the Go module proxy.
const promtoolModule = "github.com/prometheus/prometheus/cmd/promtool@v0.316.0"

const (
	alertRules     = "../../deploy/prometheus/tcpaudit-alerts.yaml"
	alertRuleTests = "../../deploy/prometheus/tcpaudit-alerts.test.yaml"
	dashboard      = "../../deploy/grafana/tcpaudit-dashboard.json"
)

// buildPromtool installs promtool from the module proxy into a temporary
// directory. It skips when the module cannot be fetched, or when a cold
// build would outlast the test binary's timeout.
func buildPromtool(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("needs the go command on PATH to build promtool")
	}
	ctx := context.Background()
	if deadline, ok := t.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline.Add(-time.Minute))
		defer cancel()
	}
	dir := t.TempDir()
	cmd := exec.CommandContext(ctx, goBin, "install", promtoolModule)
	cmd.Env = append(os.Environ(), "GOBIN="+dir)
	cmd.Dir = dir // outside this module: install the release as published
	out, err := cmd.CombinedOutput()
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		t.Skipf("building %s did not finish within the test timeout (a cold build cache): run go test with a longer -timeout", promtoolModule)
	case err != nil && regexp.MustCompile(`proxy|dial tcp|no such host|GOPROXY|connection refused|i/o timeout`).Match(out):
		t.Skipf("cannot fetch %s from the Go module proxy: %v\n%s", promtoolModule, err, out)
	case err != nil:
		t.Fatalf("go install %s: %v\n%s", promtoolModule, err, out)
	}
	return filepath.Join(dir, "promtool")
}

// TestAlertRulesPromtool checks the alerting rules with promtool and runs
// their unit tests (deploy/prometheus/tcpaudit-alerts.test.yaml).
func TestAlertRulesPromtool(t *testing.T) {
	t.Parallel()
	promtool := buildPromtool(t)
	for _, args := range [][]string{
		{"check", "rules", filepath.Base(alertRules)},
		{"test", "rules", filepath.Base(alertRuleTests)},
	} {
		cmd := exec.Command(promtool, args...)
		cmd.Dir = filepath.Dir(alertRules)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

// TestAlertRulesShape: one alert per finding severity, each with a runbook
// that points at tcpaudit explain for the rule.
func TestAlertRulesShape(t *testing.T) {
	b, err := os.ReadFile(alertRules)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Groups []struct {
			Rules []struct {
				Alert       string            `yaml:"alert"`
				Expr        string            `yaml:"expr"`
				Labels      map[string]string `yaml:"labels"`
				Annotations map[string]string `yaml:"annotations"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	severities := map[string]bool{}
	for _, g := range doc.Groups {
		for _, r := range g.Rules {
			if !strings.Contains(r.Annotations["runbook"], "tcpaudit ") {
				t.Errorf("%s: runbook %q names no tcpaudit command", r.Alert, r.Annotations["runbook"])
			}
			if strings.HasPrefix(r.Expr, "tcpaudit_findings{") {
				severities[r.Labels["severity"]] = true
				if !strings.Contains(r.Expr, `severity="`+r.Labels["severity"]+`"`) || !strings.Contains(r.Annotations["runbook"], "tcpaudit explain {{ $labels.rule }}") {
					t.Errorf("%s: expr %q, runbook %q: want the findings of its severity and tcpaudit explain RULE", r.Alert, r.Expr, r.Annotations["runbook"])
				}
			}
		}
	}
	if !severities["critical"] || !severities["warning"] || !severities["info"] {
		t.Errorf("finding alerts cover severities %v, want critical, warning and info", severities)
	}
}

// TestDeployQueriesNameExportedMetrics: every metric the alerting rules
// and the Grafana dashboard query is one that `tcpaudit serve` exports,
// and the dashboard is a JSON object with panels.
func TestDeployQueriesNameExportedMetrics(t *testing.T) {
	url, stop := startServe(t, "--proc-root", filepath.Join(hostsDir, "misconfigured"))
	exported := scrape(t, url)
	stop()
	var dash struct {
		Title  string `json:"title"`
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	b, err := os.ReadFile(dashboard)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &dash); err != nil || dash.Title == "" || len(dash.Panels) == 0 {
		t.Fatalf("%s: not a dashboard (%v)", dashboard, err)
	}
	var exprs []string
	for _, p := range dash.Panels {
		if len(p.Targets) == 0 {
			t.Errorf("dashboard panel %q has no query", p.Title)
		}
		for _, q := range p.Targets {
			exprs = append(exprs, q.Expr)
		}
	}
	rules, err := os.ReadFile(alertRules)
	if err != nil {
		t.Fatal(err)
	}
	exprs = append(exprs, regexp.MustCompile(`(?m)^\s*expr: (.*)$`).FindAllString(string(rules), -1)...)
	names := regexp.MustCompile(`\btcpaudit_[a-z_]+\b`)
	used := 0
	for _, e := range exprs {
		for _, name := range names.FindAllString(e, -1) {
			used++
			if _, ok := exported[name]; !ok {
				t.Errorf("query %q names %s, which tcpaudit serve does not export (it exports %v)", e, name, slices.Sorted(maps.Keys(exported)))
			}
		}
	}
	if used == 0 {
		t.Error("no query names a tcpaudit metric")
	}
}
