package main

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tcpaudit/tcpaudit/audit"
)

// TestCheckAllNetnsPass: in namespaces whose every socket sockgen holds
// (ESTABLISHED pairs, CLOSE_WAIT with FIN_WAIT2 peers, a listener), check
// --all-netns takes the census from the socket pass (census "bpf-iter"),
// and its report about them equals that of --source netlink, which walks
// the kernel's table in each: the same sockets, the same findings with
// the same owners, but for the idle times, which run on between the runs.
func TestCheckAllNetnsPass(t *testing.T) {
	_, namedPID, heldPID := sockgenNamespaces(t, nil)
	pass := allNetnsFor(t, []int{namedPID, heldPID}, "check", "--all-netns", "--format", "json", "--fail-on", "never")
	walk := allNetnsFor(t, []int{namedPID, heldPID}, "check", "--all-netns", "--format", "json", "--fail-on", "never", "--source", "netlink")
	for _, ns := range pass.namespaces {
		if ns["census"] != "bpf-iter" {
			t.Skipf("namespace %v: census %v, not from the pass (no BPF iterator here?)", ns["id"], ns["census"])
		}
	}
	for _, ns := range walk.namespaces {
		if ns["census"] != "netlink" {
			t.Errorf("--source netlink: namespace %v census %v, want netlink", ns["id"], ns["census"])
		}
	}
	if diff := cmp.Diff(censuses(walk.namespaces), censuses(pass.namespaces)); diff != "" {
		t.Errorf("sockets differ (-walk +pass):\n%s", diff)
	}
	if len(pass.findings) == 0 {
		t.Fatal("no finding in the test's namespaces: want at least their CLOSE_WAIT sockets'")
	}
	if diff := cmp.Diff(walk.findings, pass.findings); diff != "" {
		t.Errorf("findings differ (-walk +pass):\n%s", diff)
	}
	for _, src := range []string{"auto", "netlink"} {
		for _, v := range socketViewsFor(t, []int{namedPID, heldPID}, "--source", src) {
			if noted := slices.Contains(v.Notes, audit.PassNote); noted != (src == "auto") {
				t.Errorf("sockets --all-netns --source %s: pass note %v, want %v (notes %q)", src, noted, src == "auto", v.Notes)
			}
			if want := map[string]string{"auto": "bpf-iter", "netlink": "netlink"}[src]; v.Source != want {
				t.Errorf("sockets --all-netns --source %s: source %q, want %q", src, v.Source, want)
			}
		}
	}
}

// socketViewsFor runs sockets --all-netns --format json with args and
// returns the views of the namespaces holding one of pids.
func socketViewsFor(t *testing.T, pids []int, args ...string) []socketsDoc {
	t.Helper()
	_, out, stderr := runCLI(t, append([]string{"sockets", "--all-netns", "--format", "json"}, args...)...)
	var doc struct {
		Namespaces []struct {
			PIDs []int      `json:"pids"`
			View socketsDoc `json:"view"`
		} `json:"namespaces"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("sockets --all-netns %v: %v\n%s", args, err, stderr)
	}
	var views []socketsDoc
	for _, ns := range doc.Namespaces {
		if slices.ContainsFunc(ns.PIDs, func(p int) bool { return slices.Contains(pids, p) }) {
			views = append(views, ns.View)
		}
	}
	if len(views) != len(pids) {
		t.Fatalf("sockets --all-netns %v: %d views hold pids %v, want %d", args, len(views), pids, len(pids))
	}
	return views
}

// netnsReport is the part of a JSON report about some namespaces.
type netnsReport struct {
	namespaces []map[string]any
	findings   []string
}

// allNetnsFor runs the CLI with args and keeps, from its JSON report, the
// namespaces holding one of pids and their findings, each as its JSON
// with the idle times masked.
func allNetnsFor(t *testing.T, pids []int, args ...string) netnsReport {
	t.Helper()
	_, out, stderr := runCLI(t, args...)
	var doc struct {
		Namespaces []map[string]any `json:"namespaces"`
		Findings   []map[string]any `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v: %v\n%s", args, err, stderr)
	}
	var r netnsReport
	ids := map[any]bool{}
	for _, ns := range doc.Namespaces {
		for _, p := range ns["pids"].([]any) {
			if slices.Contains(pids, int(p.(float64))) {
				r.namespaces = append(r.namespaces, ns)
				ids[ns["id"]] = true
			}
		}
	}
	if len(r.namespaces) != len(pids) {
		t.Fatalf("%v: %d namespaces hold pids %v, want %d", args, len(r.namespaces), pids, len(pids))
	}
	for _, f := range doc.Findings {
		if !ids[f["namespace"]] {
			continue
		}
		if ev, ok := f["evidence"].(map[string]any); ok {
			for k := range ev {
				if strings.Contains(k, "idle") {
					delete(ev, k)
				}
			}
		}
		b, _ := json.Marshal(f)
		r.findings = append(r.findings, durations.ReplaceAllString(string(b), "D"))
	}
	slices.Sort(r.findings)
	return r
}

// durations matches the durations the texts print (4m8s, 59s, 1h2m).
var durations = regexp.MustCompile(`\b[0-9]+(\.[0-9]+)?(ms|h|m|s)([0-9]+(\.[0-9]+)?(ms|m|s))*\b`)

// censuses returns the socket census of each namespace, by id.
func censuses(nss []map[string]any) map[any]any {
	m := map[any]any{}
	for _, ns := range nss {
		m[ns["id"]] = ns["sockets"]
	}
	return m
}
