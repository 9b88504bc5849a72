package sysctlconf

import (
	"fmt"
	"os"
	"strings"
)

// Procps selects the procps-ng version ResolveProcps models.
type Procps struct {
	// GlobExclusions is set for procps-ng 4.0.5 and later, which keep a
	// glob off the keys a glob exclusion (-net.ipv4.conf.eth*.rp_filter)
	// matches.
	GlobExclusions bool
}

// ProcpsDirs are the directories `sysctl --system` reads, highest priority
// first.
var ProcpsDirs = []string{"/etc/sysctl.d", "/run/sysctl.d", "/usr/local/lib/sysctl.d", "/usr/lib/sysctl.d", "/lib/sysctl.d"}

// ResolveProcps reads the tree under root as procps-ng 4 `sysctl --system`
// does: the sysctl.d directories and /lib/sysctl.d with hidden files
// included, then /etc/sysctl.conf last when it is a regular file. procps
// writes every line in order, so the last assignment of a key wins, an
// exclusion only keeps globs off a key, and a glob skips every key that has
// a line of its own. Lines are split as systemd-sysctl splits them (procps
// does not end a line at a lone carriage return).
func ResolveProcps(root string, p Procps) (*Config, error) {
	st, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("sysctl root: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("sysctl root %s: not a directory", root)
	}
	c := &Config{Root: root, procps: &p}
	c.Files = c.list()
	if host, _, err := resolveIn(root, LegacyFile); err == nil {
		if st, err := os.Stat(host); err == nil && st.Mode().IsRegular() {
			c.Files = append(c.Files, Source{Path: LegacyFile})
		}
	}
	for i := range c.Files {
		c.readAll(&c.Files[i])
	}
	c.procpsFinish()
	return c, nil
}

// readAll parses one source and keeps every line.
func (c *Config) readAll(s *Source) {
	f, err := c.open(s)
	if err != nil || f == nil {
		s.Masked = true
		return
	}
	s.Masked = len(f.Entries) == 0
	c.Lines = append(c.Lines, f.Entries...)
}

// procpsFinish derives the effective entries from every line: the last
// assignment of each key, every glob line, exclusions of keys never
// assigned.
func (c *Config) procpsFinish() {
	last := map[string]int{}
	assigned := map[string]bool{}
	for i, e := range c.Lines {
		if !e.Exclude && !e.Glob() {
			last[e.Path], assigned[e.Path] = i, true
		}
	}
	excluded := map[string]bool{}
	for i, e := range c.Lines {
		switch {
		case e.Exclude && e.Glob() && c.procps.GlobExclusions:
			c.globExcludes = append(c.globExcludes, e)
		case e.Exclude && !assigned[e.Path] && !excluded[e.Path]:
			excluded[e.Path] = true
			c.Excluded = append(c.Excluded, e)
		case !e.Exclude && (e.Glob() || last[e.Path] == i):
			c.Entries = append(c.Entries, e)
		}
	}
}

// globExcluded reports a concrete key that a glob exclusion keeps globs off
// (procps 4.0.5 and later only).
func (c *Config) globExcluded(path string) bool {
	for _, e := range c.globExcludes {
		if Match(e.Path, path) {
			return true
		}
	}
	return false
}

// checkProcps adds a diagnostic for every explicitly set key that procps
// `sysctl --system` (before 4.0.5) leaves with another value than
// systemd-sysctl, unless a diagnostic already names the key.
func (c *Config) checkProcps() {
	pp, err := ResolveProcps(c.Root, Procps{})
	if err != nil {
		return
	}
	seen := map[string]bool{}
	for _, e := range append(append([]Entry(nil), c.Lines...), pp.Lines...) {
		if e.Glob() || seen[e.Path] || c.mentioned(e.Key) {
			continue
		}
		seen[e.Path] = true
		a, okA := c.Lookup(e.Key)
		b, okB := pp.Lookup(e.Key)
		if okA == okB && a.Value == b.Value {
			continue
		}
		at := b
		if okA {
			at = a
		}
		c.Diagnostics = append(c.Diagnostics, Diagnostic{File: at.File, Line: at.Line, Severity: SeverityWarning, Code: CodeDifference,
			Message: fmt.Sprintf("%s ends as %s under systemd-sysctl but as %s under procps sysctl --system", e.Key, outcome(a, okA), outcome(b, okB))})
	}
}

func outcome(e Entry, ok bool) string {
	if !ok {
		return "unset"
	}
	return fmt.Sprintf("%q (%s:%d)", e.Value, e.File, e.Line)
}

// mentioned reports a diagnostic that names key.
func (c *Config) mentioned(key string) bool {
	for _, d := range c.Diagnostics {
		if d.Code == CodeDifference && strings.Contains(d.Message, key) {
			return true
		}
	}
	return false
}
