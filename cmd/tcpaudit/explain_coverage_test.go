package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/lint"
	"github.com/tcpaudit/tcpaudit/rules"
	"github.com/tcpaudit/tcpaudit/tune"
	"github.com/tcpaudit/tcpaudit/watch"
)

// emittedRuleIDs collects every rule ID a finding can carry, from the
// lists each engine judges by: the catalog (check, serve, fix), lint's
// checks and watch's rules.
func emittedRuleIDs() []string {
	var ids []string
	for _, r := range rules.Catalog() {
		ids = append(ids, r.ID)
	}
	for _, c := range lint.Checks() {
		ids = append(ids, c.Rule.ID)
	}
	for _, r := range watch.Rules() {
		ids = append(ids, r.ID)
	}
	return ids
}

// TestExplainEveryEmittedRule: explain knows every rule ID that check,
// lint and watch print, and lists it without a topic.
func TestExplainEveryEmittedRule(t *testing.T) {
	_, topics, _ := runCLI(t, "explain")
	for _, id := range emittedRuleIDs() {
		code, out, errOut := runCLI(t, "explain", id)
		if code != exitOK || !strings.HasPrefix(out, id+": ") || !strings.Contains(out, "What it checks") {
			t.Errorf("explain %s: exit %d, stderr %q:\n%s", id, code, errOut, out)
		}
		if !slices.Contains(strings.Fields(topics), id) {
			t.Errorf("explain without a topic does not list %s", id)
		}
	}
}

// Sysctl names as texts write them: dotted under net., or bare
// (tcp_tw_reuse_delay), which counts as a key when the running kernel has
// it under /proc/sys/net.
var (
	dottedKey = regexp.MustCompile(`\bnet\.[a-z0-9_]+(\.[a-z0-9_]+)+`)
	bareKey   = regexp.MustCompile(`\b[a-z][a-z0-9]*(_[a-z0-9]+)+\b`)
	procDirs  = []string{"net/core", "net/ipv4", "net/ipv6", "net/netfilter", "net/ipv4/conf/all", "net/ipv6/conf/all"}
)

// mentionedKeys returns the sysctl keys text names. A dotted name that
// goes on with a pattern (nf_conntrack_tcp_timeout_*, conf.<interface>)
// is a family, not a key.
func mentionedKeys(text string) []string {
	var keys []string
	for _, m := range dottedKey.FindAllStringIndex(text, -1) {
		key := text[m[0]:m[1]]
		if next := text[m[1]:]; strings.HasSuffix(key, "_") || strings.HasPrefix(next, ".<") || strings.HasPrefix(next, "*") || strings.HasPrefix(next, "<") {
			continue
		}
		keys = append(keys, key)
	}
	for _, word := range bareKey.FindAllString(text, -1) {
		for _, dir := range procDirs {
			if _, err := os.Stat(filepath.Join("/proc/sys", dir, word)); err == nil {
				keys = append(keys, word)
				break
			}
		}
	}
	return keys
}

// TestExplainEveryMentionedKey: every sysctl key the tool's texts name can
// be explained as written: the texts of every rule, state and key explain
// shows, the findings of check on every fixture host, and the keys tune
// sizes. Bare names are judged against the running kernel's /proc/sys/net.
func TestExplainEveryMentionedKey(t *testing.T) {
	if _, err := os.Stat("/proc/sys/net/ipv4/tcp_fin_timeout"); err != nil {
		t.Skip("needs /proc/sys/net of a running Linux kernel to tell a bare key from other words")
	}
	texts := map[string]string{}
	_, list, _ := runCLI(t, "explain")
	for _, topic := range strings.Fields(list) {
		if _, out, _ := runCLI(t, "explain", topic); out != "" {
			texts["explain "+topic] = out
		}
	}
	hosts, _ := filepath.Glob(filepath.Join(hostsDir, "*", "net"))
	for _, h := range hosts {
		host := filepath.Dir(h)
		_, out, errOut := runCLI(t, "check", "--proc-root", host, "--format", "json", "--fail-on", "never")
		var res rules.Result
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("check %s: %v: %s", host, err, errOut)
		}
		for _, f := range res.Findings {
			texts["check "+filepath.Base(host)+" "+f.Rule] = strings.Join([]string{f.Title, f.Observed, f.Expected, f.Explanation, f.Fix.Advice}, "\n")
		}
	}
	texts["tune"] = strings.Join(tune.Keys(), " ")
	explained := map[string]bool{}
	for where, text := range texts {
		for _, key := range mentionedKeys(text) {
			if ok, seen := explained[key]; seen {
				if !ok {
					t.Errorf("%s names %s, which explain does not know", where, key)
				}
				continue
			}
			code, _, _ := runCLI(t, "explain", key)
			explained[key] = code == exitOK
			if code != exitOK {
				t.Errorf("%s names %s, which explain does not know", where, key)
			}
		}
	}
	if len(explained) < 50 {
		t.Errorf("%d keys named in the texts: the scan misses them", len(explained))
	}
}
