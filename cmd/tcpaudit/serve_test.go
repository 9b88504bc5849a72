package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/tcpaudit/tcpaudit/sysctlconf"
)

// startServe runs `tcpaudit serve` in-process on a loopback port and
// returns its base URL and a function that stops it and checks that it
// exits 0.
func startServe(t *testing.T, args ...string) (string, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	code := make(chan int, 1)
	go func() {
		code <- run(ctx, append([]string{"serve", "--listen", "127.0.0.1:0"}, args...), io.Discard, pw)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	go io.Copy(io.Discard, pr) //nolint:errcheck // drain later messages
	_, url, ok := strings.Cut(strings.TrimSpace(line), "listening on ")
	if err != nil || !ok {
		cancel()
		t.Fatalf("serve did not start: %q %v (exit %d)", line, err, <-code)
	}
	stop := func() {
		t.Helper()
		cancel()
		select {
		case c := <-code:
			if c != exitOK {
				t.Errorf("exit code after shutdown = %d, want 0", c)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("serve did not shut down within 10s")
		}
	}
	t.Cleanup(func() { cancel() })
	return strings.TrimSuffix(url, "/metrics"), stop
}

func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %s", resp.Status)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	p := expfmt.NewTextParser(model.LegacyValidation)
	mfs, err := p.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	problems, err := promlint.New(bytes.NewReader(body)).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, pr := range problems {
		t.Errorf("promlint: %s: %s", pr.Metric, pr.Text)
	}
	return mfs
}

// healthz returns the status code of GET /healthz.
func healthz(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func gauge(t *testing.T, mfs map[string]*dto.MetricFamily, name string, labels map[string]string) float64 {
	t.Helper()
	for _, m := range mfs[name].GetMetric() {
		n := 0
		for _, l := range m.GetLabel() {
			if labels[l.GetName()] == l.GetValue() {
				n++
			}
		}
		if n == len(labels) {
			return m.GetGauge().GetValue()
		}
	}
	t.Fatalf("no series %s%v", name, labels)
	return 0
}

// TestServeScrapesAndShutsDown scrapes the exporter twice: without an
// interval each scrape evaluates anew (a later evaluation timestamp), with
// one both scrapes serve the cached result.
func TestServeScrapesAndShutsDown(t *testing.T) {
	for _, interval := range []string{"0s", "1h"} {
		t.Run("interval="+interval, func(t *testing.T) {
			url, stop := startServe(t, "--proc-root", filepath.Join(hostsDir, "close-wait-leak"), "--interval", interval)
			first := scrape(t, url)
			second := scrape(t, url)
			t1 := gauge(t, first, "tcpaudit_last_evaluation_timestamp_seconds", nil)
			t2 := gauge(t, second, "tcpaudit_last_evaluation_timestamp_seconds", nil)
			if cached := interval != "0s"; cached != (t1 == t2) || t2 < t1 {
				t.Errorf("evaluation timestamps %v then %v; cached result expected: %v", t1, t2, cached)
			}
			for _, mfs := range []map[string]*dto.MetricFamily{first, second} {
				if v := gauge(t, mfs, "tcpaudit_up", nil); v != 1 {
					t.Errorf("tcpaudit_up = %v", v)
				}
				if v := gauge(t, mfs, "tcpaudit_findings", map[string]string{"rule": "close-wait-accumulation", "severity": "warning"}); v != 1 {
					t.Errorf("close-wait-accumulation warnings = %v, want 1", v)
				}
				if v := gauge(t, mfs, "tcpaudit_sockets", map[string]string{"state": "CLOSE_WAIT"}); v != 231 {
					t.Errorf("CLOSE_WAIT sockets = %v, want 231", v)
				}
			}
			if code := healthz(t, url); code != http.StatusOK {
				t.Errorf("/healthz: %d", code)
			}
			stop()
			if _, err := http.Get(url + "/healthz"); err == nil {
				t.Error("server still answers after shutdown")
			}
		})
	}
}

func TestServeBadOptions(t *testing.T) {
	for _, args := range [][]string{
		{"serve", "--profile", "no-such-profile", "--listen", "127.0.0.1:0"},
		{"serve", "--interval", "-1s", "--listen", "127.0.0.1:0"},
		{"serve", "--listen", "not-an-address", "--proc-root", hostsDir + "/healthy"},
		{"serve", "--proc-root", "/nonexistent", "--listen", "127.0.0.1:0"},
	} {
		if code, _, stderr := runCLI(t, args...); code != exitError || stderr == "" {
			t.Errorf("%v: exit %d, stderr %q; want 2 and a message", args, code, stderr)
		}
	}
}

// TestServeLiveHost runs the exporter on this host's /proc: the census taken
// during a scrape must see the exporter's own listening socket and both
// ends of the scrape's loopback connection.
func TestServeLiveHost(t *testing.T) {
	url, stop := startServe(t, "--interval", "0") // evaluated by this scrape
	mfs := scrape(t, url)
	if v := gauge(t, mfs, "tcpaudit_sockets", map[string]string{"state": "LISTEN"}); v < 1 {
		t.Errorf("LISTEN sockets = %v, want at least the exporter's own", v)
	}
	if v := gauge(t, mfs, "tcpaudit_sockets", map[string]string{"state": "ESTABLISHED"}); v < 2 {
		t.Errorf("ESTABLISHED sockets = %v, want at least both ends of the scrape", v)
	}
	if v := gauge(t, mfs, "tcpaudit_source_up", map[string]string{"source": "sys/kernel/osrelease"}); v != 1 {
		t.Errorf("osrelease not read on the live host")
	}
	if hasConfigTree("/") {
		drift := map[string]string{"rule": "runtime-config-drift", "status": "skipped"}
		if v := gauge(t, mfs, "tcpaudit_rule_status", drift); v != 0 {
			t.Errorf("runtime-config-drift skipped on a host with a sysctl.d tree")
		}
	}
	stop()
}

// TestServeEvaluationFails empties the proc root under a running exporter:
// the next scrape still answers, with tcpaudit_up 0, and /healthz says 503.
func TestServeEvaluationFails(t *testing.T) {
	root := filepath.Join(t.TempDir(), "proc")
	if code, _, stderr := runCLI(t, "snapshot", "--proc-root", filepath.Join(hostsDir, "healthy"), root); code != exitOK {
		t.Fatalf("snapshot: exit %d: %s", code, stderr)
	}
	url, stop := startServe(t, "--proc-root", root, "--interval", "0")
	if v := gauge(t, scrape(t, url), "tcpaudit_up", nil); v != 1 {
		t.Fatalf("tcpaudit_up = %v before the proc root was emptied", v)
	}
	for _, d := range []string{"net", "sys"} {
		if err := os.RemoveAll(filepath.Join(root, d)); err != nil {
			t.Fatal(err)
		}
	}
	if v := gauge(t, scrape(t, url), "tcpaudit_up", nil); v != 0 {
		t.Errorf("tcpaudit_up = %v after the proc root was emptied, want 0", v)
	}
	if code := healthz(t, url); code != http.StatusServiceUnavailable {
		t.Errorf("/healthz: %d, want 503", code)
	}
	stop()
}

// hasConfigTree reports whether root holds a sysctl.d tree to compare with.
func hasConfigTree(root string) bool {
	for _, d := range append([]string{sysctlconf.LegacyFile}, sysctlconf.Dirs...) {
		if _, err := os.Stat(filepath.Join(root, d)); err == nil {
			return true
		}
	}
	return false
}

// TestServeFirstEvaluationFails: serve listens before its first evaluation
// (a node's probes find the port open), and when that evaluation fails it
// stops serving and exits 2 with the reason.
func TestServeFirstEvaluationFails(t *testing.T) {
	root := filepath.Join(t.TempDir(), "proc")
	if code, _, stderr := runCLI(t, "snapshot", "--proc-root", filepath.Join(hostsDir, "healthy"), root); code != exitOK {
		t.Fatalf("snapshot: exit %d: %s", code, stderr)
	}
	for _, d := range []string{"net", "sys"} {
		if err := os.RemoveAll(filepath.Join(root, d)); err != nil {
			t.Fatal(err)
		}
	}
	code, _, stderr := runCLI(t, "serve", "--listen", "127.0.0.1:0", "--proc-root", root)
	if code != exitError || !strings.Contains(stderr, "listening on") || !strings.Contains(stderr, "first evaluation") {
		t.Errorf("exit %d, want %d after listening, with the first evaluation's error:\n%s", code, exitError, stderr)
	}
}
