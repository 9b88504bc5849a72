package report

import (
	"slices"

	"github.com/tcpaudit/tcpaudit/lint"
	"github.com/tcpaudit/tcpaudit/rules"
	"github.com/tcpaudit/tcpaudit/watch"
)

// The commands whose findings carry a rule ID.
const (
	byCheck = "check"
	byLint  = "lint"
	byWatch = "watch"
)

// ruleTopic is a rule whose ID the tool prints, with the command that
// judges it.
type ruleTopic struct {
	rules.Rule
	By string
}

// ruleTopics lists every rule ID a finding can carry: the catalog's
// (check, serve, fix, snapshot), lint's checks and watch's rules.
func ruleTopics() []ruleTopic {
	var out []ruleTopic
	for _, r := range rules.Catalog() {
		out = append(out, ruleTopic{r, byCheck})
	}
	for _, c := range lint.Checks() {
		out = append(out, ruleTopic{c.Rule, byLint})
	}
	for _, r := range watch.Rules() {
		out = append(out, ruleTopic{r, byWatch})
	}
	return out
}

// lookupRule finds a rule of ruleTopics by ID.
func lookupRule(id string) (ruleTopic, bool) {
	topics := ruleTopics()
	i := slices.IndexFunc(topics, func(t ruleTopic) bool { return t.ID == id })
	if i < 0 {
		return ruleTopic{}, false
	}
	return topics[i], true
}

// topicRuleIDs lists the IDs of the rules judged by one command.
func topicRuleIDs(by string) []string {
	var ids []string
	for _, t := range ruleTopics() {
		if t.By == by {
			ids = append(ids, t.ID)
		}
	}
	return ids
}

// writeRunBy says how a lint check or a watch rule is run, where a catalog
// rule lists its settings per profile.
func writeRunBy(ew *explainWriter, t ruleTopic) {
	switch t.By {
	case byLint:
		ew.section("Run by", "tcpaudit lint, on the sysctl.d files or the tree it reads (lint --format sarif describes it too).")
	case byWatch:
		ew.section("Run by", "tcpaudit watch, on the rates measured between its first and last reading (never on totals since boot); --fail-on sets the severity that fails the run.")
	}
}
