package report

import (
	"bytes"
	"errors"
	"flag"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/tcpaudit/tcpaudit/internal/golden"
	"github.com/tcpaudit/tcpaudit/internal/hosttest"
	"github.com/tcpaudit/tcpaudit/rules"
)

// update rewrites the golden files: go test ./report -update
var update = flag.Bool("update", false, "rewrite golden files under testdata/golden")

// goldenHosts are the fixture hosts (testdata/hosts) every format is
// checked against.
var goldenHosts = []string{"healthy", "close-wait-leak", "port-exhaustion", "old-kernel-tw-recycle"}

// testOptions are fixed so that outputs are reproducible.
var testOptions = Options{
	Now:      time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC),
	Hostname: "fixture-host",
	Version:  "1.2.3-test",
}

// goldenRules are the rules the golden files cover, so that adding a rule
// to the catalog does not rewrite every golden file; the schema and lint
// tests run the whole catalog.
var goldenRules = []string{
	"close-wait-accumulation", "time-wait-bucket-pressure", "ephemeral-port-range",
	"ephemeral-port-exhaustion", "tw-recycle-enabled", "tw-reuse", "fin-timeout",
	"listen-queue-overflow", "syncookies-disabled", "somaxconn-low", "orphan-pressure",
	"tcp-memory-pressure",
}

// hostResult evaluates the baseline profile on a fixture host with the
// whole catalog.
func hostResult(t testing.TB, host string) rules.Result {
	t.Helper()
	return evaluateHost(t, host, rules.NewEngine())
}

// goldenResult evaluates the baseline profile on a fixture host with the
// goldenRules.
func goldenResult(t testing.TB, host string) rules.Result {
	t.Helper()
	var engine rules.Engine
	for _, r := range rules.Catalog() {
		if slices.Contains(goldenRules, r.ID) {
			engine.Rules = append(engine.Rules, r)
		}
	}
	if len(engine.Rules) != len(goldenRules) {
		t.Fatalf("the catalog lacks some of %v", goldenRules)
	}
	return evaluateHost(t, host, engine)
}

func evaluateHost(t testing.TB, host string, engine rules.Engine) rules.Result {
	t.Helper()
	return hosttest.Evaluate(t, filepath.Join("..", "testdata", "hosts", host), engine, "")
}

// fileResult is a result of a file-based audit (lint): findings with
// locations, one waived, no evaluations, no census.
func fileResult() rules.Result {
	return rules.Result{
		Profile: "baseline",
		Findings: []rules.Finding{{
			Rule: "tw-recycle-enabled", Severity: rules.Critical, Title: "tcp_tw_recycle is set <removed>",
			Observed: "net.ipv4.tcp_tw_recycle = 1 | also in 99-x.conf", Expected: "no such line | removed in 4.12",
			Explanation: "The key was removed in Linux 4.12.",
			Fix:         rules.Fix{Advice: "Delete the line."},
			Location:    &rules.Location{File: "/etc/sysctl.d/90-tuning.conf", Line: 7},
		}, {
			Rule: "fin-timeout", Severity: rules.Info, Title: "tcp_fin_timeout lowered",
			Observed: "net.ipv4.tcp_fin_timeout = 10", Expected: "60",
			Explanation: "It bounds FIN_WAIT2 of orphaned sockets, not TIME_WAIT.",
			Fix:         rules.Fix{Sysctl: map[string]string{"net.ipv4.tcp_fin_timeout": "60"}},
			Location:    &rules.Location{File: "etc/sysctl.conf"},
			Waived:      "kept for the load balancer (ticket OPS-12)",
		}},
	}
}

func TestFormatsGolden(t *testing.T) {
	cases := map[string]rules.Result{"file-based": fileResult()}
	for _, host := range goldenHosts {
		cases[host] = goldenResult(t, host)
	}
	for host, res := range cases {
		for _, format := range Formats {
			if format == "text" {
				continue // the text format has its goldens in cmd/tcpaudit
			}
			t.Run(host+"/"+format, func(t *testing.T) {
				var b bytes.Buffer
				if err := Write(&b, format, res, testOptions); err != nil {
					t.Fatal(err)
				}
				diff := golden.Text
				if format == "json" || format == "sarif" {
					diff = golden.JSON
				}
				golden.Compare(t, filepath.Join("testdata", "golden", host, goldenName(format)), b.Bytes(), *update, diff)
			})
		}
	}
}

func TestUnknownFormat(t *testing.T) {
	err := Write(&bytes.Buffer{}, "yaml", rules.Result{}, Options{})
	if !errors.Is(err, ErrUnknownFormat) {
		t.Fatalf("Write(yaml) = %v, want ErrUnknownFormat", err)
	}
	for _, f := range Formats {
		if err := CheckFormat(f); err != nil {
			t.Errorf("CheckFormat(%s) = %v", f, err)
		}
	}
}

func goldenName(format string) string {
	ext := map[string]string{"json": "json", "junit": "xml", "sarif": "sarif", "prometheus": "prom", "markdown": "md"}
	return "report." + ext[format]
}
