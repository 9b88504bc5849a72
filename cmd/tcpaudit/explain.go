package main

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/profiles"
	"github.com/tcpaudit/tcpaudit/rules"
)

func newExplainCmd(s streams) *cobra.Command {
	return &cobra.Command{
		Use:   "explain [TOPIC]",
		Short: "Explain a TCP state, a sysctl key or a rule",
		Long: "explain teaches from tcpaudit's knowledge base, which follows the kernel\n" +
			"source. TOPIC is a TCP state (CLOSE_WAIT, close-wait, TIME_WAIT ...), a sysctl\n" +
			"key (net.ipv4.tcp_fin_timeout, tcp_fin_timeout, net.ipv4.conf.eth0.rp_filter)\n" +
			"or a rule ID (tcpaudit rules lists them). Without TOPIC it lists the topics.",
		Args: cobra.MaximumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return writeTopics(s.out)
			}
			return explain(s.out, args[0])
		},
	}
}

// explain writes one topic: a state, then a rule ID, then a sysctl key.
func explain(w io.Writer, topic string) error {
	ew := &explainWriter{w: w}
	if st, ok := rules.LookupState(topic); ok {
		writeState(ew, st)
	} else if r, ok := rules.Lookup(topic); ok {
		if err := writeRule(ew, r); err != nil {
			return &codeError{code: exitError, err: err}
		}
	} else if k, ok := rules.LookupKey(topic); ok {
		writeKey(ew, k)
	} else if readers := rulesReading(topic); len(readers) > 0 {
		ew.line("%s", topic)
		ew.para("", "tcpaudit has no key notes for it; these rules read it: "+strings.Join(readers, ", ")+". Run tcpaudit explain RULE for each.")
	} else {
		return usageError("explain: unknown topic %q: run tcpaudit explain to list states, keys and rules", topic)
	}
	return ew.err
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
	ew.line("\nClose sequence\n%s", rules.CloseSequence)
	if ids := stateRules(st.State); len(ids) > 0 {
		ew.line("\nRules: %s", strings.Join(ids, ", "))
	}
}

func writeKey(ew *explainWriter, k rules.KeyInfo) {
	ew.line("%s", k.Key)
	ew.section("Meaning", k.Meaning)
	ew.section("Type", k.Type)
	ew.section("Default", k.Default)
	ew.section("Bounds", fmt.Sprintf("minimum %s; maximum %s", k.Min, k.Max))
	ew.section("Scope", keyScope(k))
	if k.History != "-" {
		ew.section("Kernel history", k.History)
	}
	if len(k.Corrections) > 0 {
		ew.line("\nCorrections")
		for _, c := range k.Corrections {
			ew.para("  - ", c)
		}
	}
	if readers := rulesReading(k.Key); len(readers) > 0 {
		ew.line("\nRules: %s", strings.Join(readers, ", "))
	}
	ew.section("Sources", k.Source)
}

// keyScope says whether each network namespace has the key.
func keyScope(k rules.KeyInfo) string {
	note := strings.TrimSpace(k.PerNetns)
	for _, p := range []string{"yes", "no"} {
		note = strings.TrimSpace(strings.TrimPrefix(note, p))
	}
	note = strings.TrimSuffix(strings.TrimPrefix(note, "("), ")")
	switch {
	case k.Global():
		return "global in Linux 6.1: only the initial network namespace has it; where a container's namespace lacks it, that does not mean unset (" + note + ")"
	case strings.HasPrefix(k.PerNetns, "yes") && note != "":
		return "per network namespace (" + note + ")"
	case strings.HasPrefix(k.PerNetns, "yes"):
		return "per network namespace"
	}
	return k.PerNetns
}

// rulesReading lists the rules that read a key, conf/default counting as
// conf/all.
func rulesReading(key string) []string {
	var ids []string
	for _, r := range rules.Catalog() {
		for _, k := range append(append([]string(nil), r.Keys...), r.OptionalKeys...) {
			if k == key || k == strings.Replace(key, ".conf.default.", ".conf.all.", 1) {
				ids = append(ids, r.ID)
				break
			}
		}
	}
	return ids
}

func writeRule(ew *explainWriter, r rules.Rule) error {
	ew.line("%s: %s", r.ID, r.Title)
	ew.line("  category %s, default severity %s", r.Category, r.Severity)
	if len(r.Keys)+len(r.OptionalKeys) > 0 {
		ew.para("  reads ", strings.Join(append(append([]string(nil), r.Keys...), r.OptionalKeys...), ", "))
	}
	ew.section("What it checks", r.Explanation)
	ew.line("\nPer profile")
	for _, name := range profiles.Names() {
		cfg, err := profiles.Load(name)
		if err != nil {
			return fmt.Errorf("explain %s: %w", r.ID, err)
		}
		ew.line("  %-16s %s", name, ruleSetting(r, cfg.Rules[r.ID]))
	}
	ew.line("\nSources")
	for _, ref := range r.References {
		ew.para("  - ", ref)
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
	names := make([]string, 0, len(rc.Params))
	for n := range rc.Params {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		v := rc.Params[n]
		if s, ok := v.(string); ok {
			v = fmt.Sprintf("%q", s)
		}
		parts = append(parts, fmt.Sprintf("%s=%v", n, v))
	}
	return strings.Join(parts, " ")
}

func writeTopics(w io.Writer) error {
	ew := &explainWriter{w: w}
	var states []string
	for _, s := range rules.States() {
		states = append(states, s.State.String())
	}
	ew.line("TCP states (tcpaudit explain CLOSE_WAIT):")
	ew.para("  ", strings.Join(states, " "))
	var keys []string
	for _, k := range rules.Keys() {
		keys = append(keys, k.Key)
	}
	ew.line("\nSysctl keys (tcpaudit explain net.ipv4.tcp_fin_timeout):")
	ew.para("  ", strings.Join(keys, " "))
	var ids []string
	for _, r := range rules.Catalog() {
		ids = append(ids, r.ID)
	}
	ew.line("\nRules (tcpaudit explain close-wait-accumulation):")
	ew.para("  ", strings.Join(ids, " "))
	return ew.err
}
