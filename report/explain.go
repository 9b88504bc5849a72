package report

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/profiles"
	"github.com/tcpaudit/tcpaudit/rules"
)

// ErrUnknownTopic is returned by Explain for a topic that is neither a TCP
// state, a rule ID (of check, lint or watch) nor a sysctl key that
// tcpaudit knows or a rule reads.
var ErrUnknownTopic = errors.New("unknown topic")

// Explain writes what the knowledge base says about topic: a TCP state in
// any spelling, then a rule ID of check, lint or watch, then a sysctl key,
// then a key with no notes that some rules read.
func Explain(w io.Writer, topic string) error {
	ew := &explainWriter{errWriter{w: w}}
	if st, ok := rules.LookupState(topic); ok {
		writeState(ew, st)
	} else if r, ok := lookupRule(topic); ok {
		if err := writeRule(ew, r); err != nil {
			return err
		}
	} else if k, ok := rules.LookupKey(topic); ok {
		writeKey(ew, k)
	} else if readers := rulesReading(topic); len(readers) > 0 {
		ew.line("%s", topic)
		ew.para("", "tcpaudit has no key notes for it; these rules read it: "+strings.Join(readers, ", ")+". Run tcpaudit explain RULE for each.")
	} else {
		return fmt.Errorf("%w %q", ErrUnknownTopic, topic)
	}
	return ew.err
}

// Topics lists what Explain knows: the TCP states, the sysctl keys and
// the rule IDs of check, lint and watch.
func Topics(w io.Writer) error {
	ew := &explainWriter{errWriter{w: w}}
	ew.line("TCP states (tcpaudit explain CLOSE_WAIT):")
	ew.para("  ", strings.Join(topicStates(), " "))
	ew.line("\nSysctl keys (tcpaudit explain net.ipv4.tcp_fin_timeout):")
	ew.para("  ", strings.Join(topicKeys(), " "))
	ew.line("\nRules (tcpaudit explain close-wait-accumulation):")
	ew.para("  ", strings.Join(topicRuleIDs(byCheck), " "))
	ew.line("\nLint checks (tcpaudit explain lint-shadowed):")
	ew.para("  ", strings.Join(topicRuleIDs(byLint), " "))
	ew.line("\nWatch rules (tcpaudit explain watch-close-wait-leak):")
	ew.para("  ", strings.Join(topicRuleIDs(byWatch), " "))
	return ew.err
}

// TopicNames returns the topics Topics lists, states first, then keys,
// then rule IDs: the arguments shell completion offers.
func TopicNames() []string {
	return slices.Concat(topicStates(), topicKeys(), topicRuleIDs(byCheck), topicRuleIDs(byLint), topicRuleIDs(byWatch))
}

func topicStates() []string {
	var states []string
	for _, s := range rules.States() {
		states = append(states, s.State.String())
	}
	return states
}

func topicKeys() []string {
	var keys []string
	for _, k := range rules.Keys() {
		keys = append(keys, k.Key)
	}
	return keys
}

// stateRules returns the rules that watch a state.
func stateRules(s audit.State) []string {
	return map[audit.State][]string{
		audit.CloseWait: {"close-wait-accumulation"},
		audit.TimeWait:  {"time-wait-bucket-pressure", "ephemeral-port-exhaustion", "tw-reuse", "rfc1337-disabled"},
		audit.FinWait2:  {"fin-timeout", "time-wait-bucket-pressure"},
		audit.SynRecv:   {"listen-queue-overflow", "syncookies-disabled"},
		audit.Listen:    {"listen-queue-overflow", "somaxconn-low", "listen-port-in-ephemeral-range"},
		audit.FinWait1:  {"orphan-pressure"},
		audit.LastAck:   {"orphan-pressure"},
	}[s]
}

func writeState(ew *explainWriter, st rules.StateInfo) {
	ew.line("%s (st %02X in /proc/net/tcp)", st.State, uint8(st.State))
	ew.section("What it is", st.Meaning)
	ew.section("Which side", st.Side)
	ew.section("What moves it on", st.MovesOn)
	ew.section("How long it lasts", st.Lasts)
	ew.section("When many pile up", st.Piles)
	if ct := rules.ConntrackState(st.State); ct != "" {
		ew.section("In the conntrack table", ct)
	}
	ew.line("\nClose sequence\n%s", rules.CloseSequence)
	if ids := stateRules(st.State); len(ids) > 0 {
		ew.line("\nRules: %s", strings.Join(ids, ", "))
	}
}

func writeRule(ew *explainWriter, r ruleTopic) error {
	ew.line("%s: %s", r.ID, r.Title)
	ew.line("  category %s, default severity %s", r.Category, r.Severity)
	if keys := slices.Concat(r.Keys, r.OptionalKeys); len(keys) > 0 {
		ew.para("  reads ", strings.Join(keys, ", "))
	}
	ew.section("What it checks", r.Explanation)
	if r.By != byCheck {
		writeRunBy(ew, r)
	} else if err := writeProfiles(ew, r.Rule); err != nil {
		return err
	}
	if len(r.References) > 0 {
		ew.line("\nSources")
	}
	for _, ref := range r.References {
		ew.para("  - ", ref)
	}
	return nil
}

// writeProfiles lists how each profile runs a catalog rule.
func writeProfiles(ew *explainWriter, r rules.Rule) error {
	ew.line("\nPer profile")
	for _, name := range profiles.Names() {
		cfg, err := profiles.Load(name)
		if err != nil {
			return fmt.Errorf("explain %s: %w", r.ID, err)
		}
		ew.line("  %-16s %s", name, ruleSetting(r, cfg.Rules[r.ID]))
	}
	return nil
}

// ruleSetting describes how a profile runs a rule: severity and thresholds.
func ruleSetting(r rules.Rule, rc rules.RuleConfig) string {
	if !rc.Enabled {
		return "not run"
	}
	sev := r.Severity
	if rc.Severity != 0 {
		sev = rc.Severity
	}
	parts := []string{sev.String()}
	for _, n := range slices.Sorted(maps.Keys(rc.Params)) {
		v := rc.Params[n]
		if s, ok := v.(string); ok {
			v = fmt.Sprintf("%q", s)
		}
		parts = append(parts, fmt.Sprintf("%s=%v", n, v))
	}
	return strings.Join(parts, " ")
}
