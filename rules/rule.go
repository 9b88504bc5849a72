// Package rules owns the rule catalog and the engine that evaluates audit
// facts against a profile's configuration. Every rule is one file named after
// its ID; the catalog lists them explicitly.
package rules

import (
	"time"

	"github.com/tcpaudit/tcpaudit/audit"
)

// Categories of rules.
const (
	Lifecycle   = "lifecycle"
	Capacity    = "capacity"
	Hardening   = "hardening"
	Performance = "performance"
)

// Rule is one check. Check runs only when every source in Needs was read and
// every key in Keys is present; otherwise the engine skips the rule and says
// why.
type Rule struct {
	ID       string
	Title    string
	Category string
	// Severity is the default severity of the rule's findings.
	Severity Severity
	// Keys are sysctls the rule requires; OptionalKeys are read if present.
	Keys         []string
	OptionalKeys []string
	Needs        []audit.Source
	// Params are the settings a profile must give the rule.
	Params []Param
	// Explanation says what the rule checks and why, for `explain`.
	Explanation string
	References  []string
	Check       func(f *audit.Facts, p Params) []Finding
}

// Finding is one problem a rule found.
type Finding struct {
	Rule        string   `json:"rule"`
	Severity    Severity `json:"severity"`
	Title       string   `json:"title"`
	Observed    string   `json:"observed"`
	Expected    string   `json:"expected"`
	Explanation string   `json:"explanation"`
	Fix         Fix      `json:"fix"`
	// Evidence are the numbers the finding rests on; Subjects the
	// processes, sockets or destinations it is about. Both are absent when
	// empty.
	Evidence Evidence  `json:"evidence,omitempty"`
	Subjects []Subject `json:"subjects,omitempty"`
	// Location is set for findings about a file (lint, config drift).
	Location *Location `json:"location,omitempty"`
	// Waived is set when a waiver covers the finding.
	Waived string `json:"waived,omitempty"`
	// Namespace is the ID of the network namespace the finding is about
	// (Result.Namespaces); "" for the host's.
	Namespace string `json:"namespace,omitempty"`
	// HostWide is set on a finding about a namespace that is not the
	// host's when the rule judged global keys (one value for every
	// namespace, docs/kernel-facts.md §12) with the host's values: the
	// numbers are the host's, and only the host can change them.
	HostWide bool `json:"host_wide,omitempty"`
}

// Location is a position in a configuration file.
type Location struct {
	File string `json:"file"`
	Line int    `json:"line,omitempty"`
}

// Fix is what to change: sysctl values for the patch generator, advice when
// the application is the fix, and the processes involved where known.
type Fix struct {
	Sysctl    map[string]string `json:"sysctl,omitempty"`
	Advice    string            `json:"advice,omitempty"`
	Processes []audit.Owner     `json:"processes,omitempty"`
}

// Param declares one profile setting of a rule.
type Param struct {
	Name string
	Kind ParamKind
	Doc  string
}

// ParamKind is the type of a profile setting.
type ParamKind int

// Parameter kinds.
const (
	IntParam   ParamKind = iota + 1 // int64
	FloatParam                      // float64
	IntsParam                       // []int64
	StringParam
	SeverityParam // Severity: info, warning or critical
)

// Params are a rule's validated settings, typed per its Param declarations.
type Params map[string]any

// Int returns an IntParam.
func (p Params) Int(name string) int64 { v, _ := p[name].(int64); return v }

// Float returns a FloatParam.
func (p Params) Float(name string) float64 { v, _ := p[name].(float64); return v }

// Ints returns an IntsParam.
func (p Params) Ints(name string) []int64 { v, _ := p[name].([]int64); return v }

// String returns a StringParam.
func (p Params) String(name string) string { v, _ := p[name].(string); return v }

// Severity returns a SeverityParam.
func (p Params) Severity(name string) Severity { v, _ := p[name].(Severity); return v }

// RuleConfig is how a profile runs one rule.
type RuleConfig struct {
	Enabled bool
	// Severity overrides the severity of every finding when set.
	Severity Severity
	Params   Params
}

// Config is a resolved profile: the rules to run and their settings.
type Config struct {
	Profile string
	Rules   map[string]RuleConfig
	// Waivers accept findings of a rule until a date; Today is the date
	// they are judged on (the engine never reads the clock).
	Waivers []Waiver
	Today   time.Time
}
