package main

import (
	"path/filepath"
	"strings"
	"testing"

	goldenfile "github.com/tcpaudit/tcpaudit/internal/golden"
	"github.com/tcpaudit/tcpaudit/rules"
)

// TestExplainGolden pins the explanation of a state, a key and a rule;
// refresh with -update.
func TestExplainGolden(t *testing.T) {
	for _, topic := range []string{"close-wait", "net.ipv4.tcp_fin_timeout", "rp-filter-disabled"} {
		t.Run(topic, func(t *testing.T) {
			code, out, errOut := runCLI(t, "explain", topic)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			golden(t, filepath.Join("explain", topic+".txt"), out, goldenfile.Text)
		})
	}
}

// TestExplainAliases: a state in any spelling and a key in any form reach
// the same text.
func TestExplainAliases(t *testing.T) {
	for _, group := range [][]string{
		{"CLOSE_WAIT", "close-wait", "closewait", "Close_Wait"},
		{"TIME_WAIT", "time-wait"},
		{"net.ipv4.tcp_fin_timeout", "tcp_fin_timeout", "net/ipv4/tcp_fin_timeout"},
		{"net.ipv4.conf.all.rp_filter", "net.ipv4.conf.eth0.100.rp_filter", "net.ipv4.conf.eth0/100.rp_filter", "rp_filter"},
	} {
		_, first, _ := runCLI(t, "explain", group[0])
		for _, alias := range group[1:] {
			if code, out, errOut := runCLI(t, "explain", alias); code != 0 || out != first {
				t.Errorf("explain %s (exit %d, %s) differs from explain %s", alias, code, errOut, group[0])
			}
		}
	}
}

// TestExplainEveryTopic explains every state, key and rule, and keeps the
// myths of docs/kernel-facts.md §15 out of all of them.
func TestExplainEveryTopic(t *testing.T) {
	var topics []string
	for _, s := range rules.States() {
		topics = append(topics, s.State.String())
	}
	for _, k := range rules.Keys() {
		topics = append(topics, k.Key)
	}
	for _, r := range rules.Catalog() {
		topics = append(topics, r.ID)
	}
	if len(rules.States()) != 11 || len(rules.Keys()) < 50 {
		t.Fatalf("knowledge base: %d states, %d keys; want 11 states and the %s keys", len(rules.States()), len(rules.Keys()), "knowledge_keys.tsv")
	}
	for _, topic := range topics {
		code, out, errOut := runCLI(t, "explain", topic)
		if code != 0 || len(out) < 200 {
			t.Errorf("explain %s: exit %d, %d bytes: %s", topic, code, len(out), errOut)
			continue
		}
		if m := rules.RepeatsMyth(strings.Join(strings.Fields(out), " ")); m != "" {
			t.Errorf("explain %s repeats the myth %q", topic, m)
		}
	}
}

func TestExplainMythDetector(t *testing.T) {
	for _, myth := range []string{"Lower tcp_fin_timeout to reduce TIME_WAIT", "net.core.somaxconn defaults to 128", "Enable net.ipv4.tcp_tw_recycle"} {
		if rules.RepeatsMyth(myth) == "" {
			t.Errorf("detector misses %q", myth)
		}
	}
}

// TestExplainTopicsAndErrors: no topic lists them all; an unknown topic is
// a usage error (exit 2) naming it.
func TestExplainTopicsAndErrors(t *testing.T) {
	code, out, _ := runCLI(t, "explain")
	for _, want := range []string{"CLOSE_WAIT", "net.ipv4.tcp_tw_reuse", "rp-filter-disabled"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("explain without topic (exit %d) lacks %q", code, want)
		}
	}
	code, _, errOut := runCLI(t, "explain", "no-such-thing")
	if code != exitError || !strings.Contains(errOut, `"no-such-thing"`) {
		t.Errorf("unknown topic: exit %d, stderr %q", code, errOut)
	}
	code, out, _ = runCLI(t, "explain", "net.ipv4.conf.all.forwarding")
	if code != 0 || !strings.Contains(out, "ipv4-redirects-accepted") {
		t.Errorf("key without notes but read by rules: exit %d:\n%s", code, out)
	}
}
