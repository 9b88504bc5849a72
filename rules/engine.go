package rules

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/tcpaudit/tcpaudit/audit"
)

// Status is the outcome of one rule.
type Status string

// Rule outcomes.
const (
	Passed   Status = "passed"
	Failed   Status = "failed"
	Skipped  Status = "skipped"
	Disabled Status = "disabled"
)

// Evaluation is the outcome of one rule, for reports that list every rule
// (JUnit) and not only findings.
type Evaluation struct {
	Rule     string `json:"rule"`
	Title    string `json:"title"`
	Category string `json:"category"`
	Status   Status `json:"status"`
	Reason   string `json:"reason,omitempty"`
	// HostWide is set on a rule skipped in a namespace that is not the
	// host's because a global key it reads is judged with the host's
	// namespace in the same run (ErrJudgedWithHost).
	HostWide bool `json:"-"`
}

// SourceStatus says whether a fact source was read.
type SourceStatus struct {
	Source string `json:"source"`
	OK     bool   `json:"ok"`
	Reason string `json:"reason,omitempty"`
}

// Sockets summarises the census.
type Sockets struct {
	Total  int            `json:"total"`
	States map[string]int `json:"states"`
}

// Result is the outcome of evaluating a profile against facts.
type Result struct {
	// Command is the command that produced the result ("check" when empty,
	// "lint"); reports name it in their titles.
	Command     string
	Profile     string
	Kernel      string
	Findings    []Finding
	Evaluations []Evaluation
	// Sockets is nil when no census could be taken.
	Sockets *Sockets
	Sources []SourceStatus
	// Notes are things the reader must know to trust the result (sockets
	// that could not be attributed, sources that were missing).
	Notes []string
	// Ephemeral lists the destinations with the largest share of the usable
	// ephemeral range in use, at most EphemeralTop, largest first.
	Ephemeral []EphemeralUse
	// Config is the configuration file in use, empty for none; every
	// report records it.
	Config string `json:",omitempty"`
	// Namespaces describes the network namespaces audited, the host's
	// first, when more than one was (or one that is not the host's); nil
	// for an audit of one host.
	Namespaces []Namespace `json:",omitempty"`
	// Conntrack is the conntrack table's use and events; nil when
	// conntrack was not read.
	Conntrack *ConntrackUsage `json:",omitempty"`
}

// Worst returns the highest severity among unwaived findings, or 0.
func (r Result) Worst() Severity {
	var w Severity
	for _, f := range r.Findings {
		if f.Waived == "" && f.Severity > w {
			w = f.Severity
		}
	}
	return w
}

// Engine evaluates rules.
type Engine struct {
	Rules []Rule
}

// NewEngine returns an engine over the full catalog.
func NewEngine() Engine { return Engine{Rules: Catalog()} }

// Keys returns every sysctl key the rules read, for audit.Options.
func (e Engine) Keys() []string {
	var keys []string
	for _, r := range e.Rules {
		keys = append(keys, r.Keys...)
		keys = append(keys, r.OptionalKeys...)
	}
	return keys
}

// Evaluate runs every enabled rule of c against f.
func (e Engine) Evaluate(f *audit.Facts, c Config) Result {
	res := Result{Profile: c.Profile, Kernel: f.Kernel.Release}
	for _, r := range e.Rules {
		rc, ok := c.Rules[r.ID]
		switch reason, cause := skipReason(f, r); {
		case !ok || !rc.Enabled:
			res.Evaluations = append(res.Evaluations, r.evaluation(Disabled, "disabled in profile "+c.Profile))
		case reason != "":
			e := r.evaluation(Skipped, reason)
			e.HostWide = errors.Is(cause, ErrJudgedWithHost)
			res.Evaluations = append(res.Evaluations, e)
		default:
			found := r.Check(f, rc.Params)
			res.Evaluations = append(res.Evaluations, Judge(r, rc, found))
			res.Findings = append(res.Findings, found...)
		}
	}
	res.Findings = ApplyWaivers(res.Findings, c.Waivers, c.Today)
	SortFindings(res.Findings)
	res.Sockets = summarize(f.Census)
	res.Ephemeral = ephemeralUse(f, EphemeralTop)
	res.Sources, res.Notes = sources(f)
	res.Conntrack = conntrackUsage(f)
	return res
}

// skipReason says why r cannot run on f, "" when it can; cause is the
// error of the absent key that stops it, nil for a missing source.
func skipReason(f *audit.Facts, r Rule) (reason string, cause error) {
	for _, s := range r.Needs {
		if !f.Has(s) {
			if s == audit.SourceSockets {
				return "no socket census: net/tcp and net/tcp6 could not be read", nil
			}
			why, _ := f.NotRead(s)
			return fmt.Sprintf("%s: %s", s, why), nil
		}
	}
	for _, k := range r.Keys {
		if err, absent := f.Absent[k]; absent {
			return absentReason(f, k, err), err
		}
	}
	return "", nil
}

// ErrJudgedWithHost is the absence of a global key from the facts of a
// namespace that is not the host's when the host's namespace is audited in
// the same run: rules about it are judged there, once.
var ErrJudgedWithHost = fmt.Errorf("a global key, judged with the host namespace: %w", fs.ErrNotExist)

// absentReason explains a key that could not be read: a global key is not
// visible outside the initial network namespace (docs/kernel-facts.md §12), other
// keys do not exist on this kernel.
func absentReason(f *audit.Facts, key string, err error) string {
	switch {
	case errors.Is(err, audit.ErrSysctlsHidden):
		return fmt.Sprintf("%s: %v", key, audit.ErrSysctlsHidden)
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Sprintf("%s could not be read: %v", key, err)
	case isIPv6Conf(key) && f.Conf.Read && f.Conf.IPv6 == nil:
		return fmt.Sprintf("%s is not present: this host has no IPv6 (sys/net/ipv6/conf is absent: IPv6 disabled or not built)", key)
	case errors.Is(err, ErrJudgedWithHost):
		return fmt.Sprintf("%s is host-wide (a global key: one value for every network namespace): judged once, with the host namespace", key)
	case IsGlobalKey(key):
		return fmt.Sprintf("%s is not visible in this network namespace (a global key, present only in the host's initial namespace): run tcpaudit check --netns from the host to judge it with the host's value", key)
	case f.Kernel.Release != "":
		return fmt.Sprintf("%s is not present on kernel %s", key, f.Kernel.Release)
	}
	return fmt.Sprintf("%s is not present on this kernel", key)
}

func summarize(c *audit.Census) *Sockets {
	if c == nil {
		return nil
	}
	states := c.ByState()
	for _, s := range audit.States() {
		states[s.String()] += 0
	}
	return &Sockets{Total: c.Total(), States: states}
}

func sources(f *audit.Facts) ([]SourceStatus, []string) {
	var out []SourceStatus
	var notes []string
	if st, tried := netlinkStatus(f); tried {
		out = append(out, st)
	}
	for _, info := range audit.Sources() {
		s := info.Source
		if !info.File || f.CensusSource == audit.CensusNetlink && (s == audit.SourceTCP || s == audit.SourceTCP6) {
			continue // not a file, or not read: the census came over netlink
		}
		why, missing := f.NotRead(s)
		out = append(out, SourceStatus{Source: string(s), OK: !missing, Reason: why})
		if missing {
			notes = append(notes, missingNote(f, s, why))
		}
	}
	if f.CensusNote != "" {
		notes = append(notes, f.CensusNote)
	}
	if f.Sampling != nil {
		notes = append(notes, f.Sampling.Summary())
	}
	if why, missing := f.NotRead(audit.SourceProcesses); missing {
		notes = append(notes, "process attribution failed: "+why)
	}
	if a := f.Owners; a != nil && a.Closed > 0 {
		notes = append(notes, fmt.Sprintf("%s closed before they could be attributed (between the census and the scan of processes)", plural(a.Closed, "CLOSE_WAIT socket")))
	}
	if f.Owners != nil && f.Census != nil {
		if note := audit.UnacceptedNote(f.Census.Unaccepted); note != "" {
			notes = append(notes, note)
		}
	}
	if a := f.Owners; a != nil && a.Unattributed > 0 {
		if a.Unreadable > 0 && a.Root {
			notes = append(notes, fmt.Sprintf("%s not attributed: no process that could be read holds %s; %s could not be read, even as root (their descriptors are denied to this process)", plural(a.Unattributed, "CLOSE_WAIT socket"), pronounOf(a.Unattributed), plural(a.Unreadable, "process")))
		} else if a.Unreadable > 0 {
			notes = append(notes, fmt.Sprintf("%s not attributed: run as root (%s could not be read)", plural(a.Unattributed, "CLOSE_WAIT socket"), plural(a.Unreadable, "process")))
		} else {
			pronoun := pronounOf(a.Unattributed)
			where, why := "under "+f.ProcRoot, audit.UnheldCauses(a.Method)
			switch {
			case a.Scoped && !a.Root:
				where, why = "of this network namespace that this user can see", "run as root: the namespaces of other users' processes cannot be read"
			case a.Scoped:
				where, why = "of this network namespace", "only its own processes are searched: a process of another network namespace may hold "+pronoun
			}
			notes = append(notes, fmt.Sprintf("%s not attributed: no process %s holds %s (%s)", plural(a.Unattributed, "CLOSE_WAIT socket"), where, pronoun, why))
		}
	}
	return out, notes
}

// pronounOf is "it" for one socket, "them" for several.
func pronounOf(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}

// netlinkStatus is the status of the netlink census (source "netlink"):
// read, or refused, in which case net/tcp and net/tcp6 were read instead.
// It returns false when netlink was not tried (--source proc, or a proc
// root that is not the live /proc).
func netlinkStatus(f *audit.Facts) (SourceStatus, bool) {
	switch {
	case f.CensusSource == audit.CensusNetlink:
		return SourceStatus{Source: string(audit.CensusNetlink), OK: true}, true
	case f.CensusNote != "":
		return SourceStatus{Source: string(audit.CensusNetlink), Reason: "refused; the census read net/tcp and net/tcp6"}, true
	}
	return SourceStatus{}, false
}

// missingNote says what a missing source means: without one of net/tcp and
// net/tcp6 the census counts the other file only; any other missing source
// skips the rules that need it.
func missingNote(f *audit.Facts, s audit.Source, why string) string {
	other := map[audit.Source]audit.Source{audit.SourceTCP: audit.SourceTCP6, audit.SourceTCP6: audit.SourceTCP}[s]
	if other != "" && f.Census != nil {
		return fmt.Sprintf("%s %s: the socket census counts %s only", s, why, other)
	}
	return fmt.Sprintf("%s %s: rules that need it were skipped", s, why)
}
