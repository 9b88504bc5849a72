package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// hostCase is what `check` must say about one fixture host with the
// baseline profile.
type hostCase struct {
	host    string
	exit    int
	failing []string
	skipped []string
	// conntrack is true for hosts whose proc tree has conntrack's files;
	// the others skip conntrackRules.
	conntrack bool
}

var hostCases = []hostCase{
	{host: "healthy", exit: 0, conntrack: true},
	{host: "close-wait-leak", exit: 1, failing: []string{"close-wait-accumulation"}},
	{host: "port-exhaustion", exit: 1, failing: []string{"ephemeral-port-exhaustion"}},
	{host: "old-kernel-tw-recycle", exit: 1, failing: []string{"tw-recycle-enabled", "tw-reuse"}},
	{host: "listen-overflow", exit: 1, failing: []string{"listen-queue-overflow"}},
	{host: "tw-overflow", exit: 1, failing: []string{"time-wait-bucket-pressure"}},
	{host: "ipv6-only", exit: 0},
	{host: "container", exit: 0, skipped: []string{"orphan-pressure", "tcp-memory-pressure"}},
	{host: "misconfigured", exit: 1, failing: []string{"ephemeral-port-range", "fin-timeout",
		"listen-port-in-ephemeral-range", "somaxconn-low", "syncookies-disabled", "tw-reuse-needs-timestamps"}},
	{host: "memory-pressure", exit: 1, failing: []string{"orphan-pressure", "tcp-memory-pressure"}},
	{host: "conntrack-full", exit: 1, failing: []string{"conntrack-table-pressure", "conntrack-tcp-timeouts"}, conntrack: true},
}

// conntrackRules need conntrack's files; hosts without them skip them.
var conntrackRules = []string{"conntrack-table-pressure", "conntrack-tcp-timeouts"}

// configRules need a sysctl.d tree besides the proc tree; check on a
// fixture host alone skips them.
var configRules = []string{"runtime-config-drift"}

func TestCheckHosts(t *testing.T) {
	for _, tc := range hostCases {
		t.Run(tc.host, func(t *testing.T) {
			code, r := checkJSON(t, "--proc-root", filepath.Join(hostsDir, tc.host))
			if code != tc.exit {
				t.Errorf("exit code %d, want %d", code, tc.exit)
			}
			if diff := r.statusDiff("failed", tc.failing); diff != "" {
				t.Errorf("failing rules (-want +got):\n%s", diff)
			}
			skipped := append(slices.Clone(tc.skipped), configRules...)
			if !tc.conntrack {
				skipped = append(skipped, conntrackRules...)
			}
			if diff := r.statusDiff("skipped", skipped); diff != "" {
				t.Errorf("skipped rules (-want +got):\n%s", diff)
			}
			if r.SchemaVersion != 1 {
				t.Errorf("schema_version %d, want 1", r.SchemaVersion)
			}
		})
	}
}

// TestCheckCensus compares the census with the socket counts each fixture
// was generated with (testdata/hosts/gen).
func TestCheckCensus(t *testing.T) {
	tests := []struct {
		host   string
		total  int
		states map[string]int
	}{
		{"healthy", 271, map[string]int{"ESTABLISHED": 181, "SYN_RECV": 2, "FIN_WAIT1": 1,
			"FIN_WAIT2": 2, "TIME_WAIT": 75, "CLOSE_WAIT": 3, "LAST_ACK": 1, "LISTEN": 6}},
		{"ipv6-only", 62, map[string]int{"ESTABLISHED": 50, "SYN_RECV": 1, "TIME_WAIT": 8, "LISTEN": 3}},
		{"port-exhaustion", 51475, map[string]int{"ESTABLISHED": 28109, "TIME_WAIT": 23360, "LISTEN": 6}},
		{"close-wait-leak", 415, map[string]int{"ESTABLISHED": 137, "TIME_WAIT": 40, "CLOSE_WAIT": 231, "LISTEN": 7}},
	}
	for _, tc := range tests {
		t.Run(tc.host, func(t *testing.T) {
			_, r := checkJSON(t, "--proc-root", filepath.Join(hostsDir, tc.host))
			if r.Sockets == nil {
				t.Fatal("no sockets in the report")
			}
			if r.Sockets.Total != tc.total {
				t.Errorf("total %d, want %d", r.Sockets.Total, tc.total)
			}
			got := map[string]int{}
			for k, v := range r.Sockets.States {
				if v != 0 {
					got[k] = v
				}
			}
			if diff := cmp.Diff(tc.states, got); diff != "" {
				t.Errorf("states (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCheckContainer: global sysctls are absent in a network namespace; the
// rules that need them are skipped with that reason, not failed.
func TestCheckContainer(t *testing.T) {
	code, r := checkJSON(t, "--proc-root", filepath.Join(hostsDir, "container"))
	if code != 0 {
		t.Errorf("exit %d, want 0", code)
	}
	for _, e := range r.Rules {
		if e.Rule == "orphan-pressure" || e.Rule == "tcp-memory-pressure" {
			if e.Status != "skipped" || !strings.Contains(e.Reason, "not visible in this network namespace") {
				t.Errorf("%s: %s %q, want skipped as not visible in this network namespace", e.Rule, e.Status, e.Reason)
			}
		}
	}
}

// TestCheckIPv6Only: a missing net/tcp is a note and a source marked not
// read, never an error.
func TestCheckIPv6Only(t *testing.T) {
	code, stdout, stderr := runCLI(t, "check", "--no-color", "--proc-root", filepath.Join(hostsDir, "ipv6-only"))
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q; want 0 and nothing", code, stderr)
	}
	if !strings.Contains(stdout, "net/tcp not present") {
		t.Errorf("text report does not note the missing net/tcp:\n%s", stdout)
	}
	_, r := checkJSON(t, "--proc-root", filepath.Join(hostsDir, "ipv6-only"))
	read := r.readSources()
	if read["net/tcp"] || !read["net/tcp6"] {
		t.Errorf("sources: net/tcp read %v, net/tcp6 read %v; want false, true", read["net/tcp"], read["net/tcp6"])
	}
	// The outgoing flows decode from tcp6's word-swapped addresses.
	flows := map[string]int{}
	for _, e := range r.Ephemeral {
		flows[fmt.Sprintf("%s -> [%s]:%d", e.Local, e.Remote, e.RemotePort)] = e.Sockets
	}
	want := map[string]int{"2001:db8::10 -> [2001:db8:2::53]:443": 3, "::1 -> [::1]:5432": 5}
	if diff := cmp.Diff(want, flows); diff != "" {
		t.Errorf("ephemeral flows (-want +got):\n%s", diff)
	}
}
