package sysctlconf

import (
	"fmt"
	"strings"

	"github.com/tcpaudit/tcpaudit/internal/input"
)

// merger is systemd-sysctl's ordered map keyed by normalized path: a new key
// is appended; the same value again only ORs the ignore-failure flag and
// keeps the position; a different value (an exclusion included) replaces
// the entry and moves it to the end.
type merger struct {
	order []*Entry
	index map[string]*Entry
}

func newMerger() *merger { return &merger{index: map[string]*Entry{}} }

// add merges one line. It returns a diagnostic when procps would end differently: it writes
// every assignment line, so a later exclusion does not cancel an earlier
// assignment there.
func (m *merger) add(e Entry) *Diagnostic {
	var d *Diagnostic
	if old, ok := m.index[e.Path]; ok {
		if old.Exclude == e.Exclude && old.Value == e.Value {
			old.IgnoreFailure = old.IgnoreFailure || e.IgnoreFailure
			if e.Glob() && m.order[len(m.order)-1] != old {
				return &Diagnostic{File: e.File, Line: e.Line, Severity: SeverityInfo, Code: CodeDifference,
					Message: fmt.Sprintf("glob %s set again to the same value keeps its place at %s:%d under systemd-sysctl; procps applies it again here, so overlapping globs can end differently", e.Key, old.File, old.Line)}
			}
			return nil
		}
		if e.Exclude && !old.Exclude {
			d = &Diagnostic{File: e.File, Line: e.Line, Severity: SeverityWarning, Code: CodeDifference,
				Message: fmt.Sprintf("exclusion of %s cancels %s = %s at %s:%d under systemd-sysctl; procps still writes that value", e.Key, old.Key, old.Value, old.File, old.Line)}
		}
		for i, p := range m.order {
			if p == old {
				m.order = append(m.order[:i], m.order[i+1:]...)
				break
			}
		}
	}
	ne := e
	m.index[e.Path] = &ne
	m.order = append(m.order, &ne)
	return d
}

func (c *Config) finish(m *merger) {
	for _, e := range m.order {
		if e.Exclude {
			c.Excluded = append(c.Excluded, *e)
		} else {
			c.Entries = append(c.Entries, *e)
		}
	}
}

// Lookup returns the entry that sets a concrete key at boot: its own entry
// (none when excluded), else the last glob in application order that
// matches it, since an explicit entry always beats a glob.
func (c *Config) Lookup(key string) (Entry, bool) {
	p := Normalize(key)
	for _, e := range c.Excluded {
		if e.Path == p {
			return Entry{}, false
		}
	}
	var found Entry
	ok := false
	for _, e := range c.Entries {
		switch {
		case e.Path == p && !e.Glob():
			return e, true
		case e.Glob() && Match(e.Path, p) && !c.globExcluded(p):
			found, ok = e, true
		}
	}
	return found, ok
}

// checkLegacy warns when /etc/sysctl.conf exists with settings that
// systemd-sysctl never reads because no sysctl.d file links to it.
func (c *Config) checkLegacy() {
	for _, s := range c.Files {
		if s.Target == LegacyFile {
			c.checkLegacyLast(s.Path)
			return
		}
	}
	host, _, err := resolveIn(c.Root, LegacyFile)
	if err != nil {
		return
	}
	fh, err := input.Open(host)
	if err != nil {
		return
	}
	defer fh.Close()
	f, err := Parse(input.Limit(fh, "", MaxFile), LegacyFile)
	if err != nil || len(f.Entries) == 0 {
		return
	}
	var keys []string
	for _, e := range f.Entries {
		keys = append(keys, e.Key)
	}
	c.Diagnostics = append(c.Diagnostics, Diagnostic{File: LegacyFile, Line: f.Entries[0].Line, Severity: SeverityWarning, Code: CodeDifference,
		Message: fmt.Sprintf("systemd-sysctl does not read %s (no sysctl.d link such as 99-sysctl.conf points to it); procps sysctl --system reads it last, so its settings apply only where procps applies them: %s",
			LegacyFile, strings.Join(keys, ", "))})
}

// checkLegacyLast reports keys whose winner differs under procps, which
// reads /etc/sysctl.conf once more after every sysctl.d file.
func (c *Config) checkLegacyLast(link string) {
	last := map[string]Entry{}
	for _, e := range c.Lines {
		if e.File == link && !e.Exclude && !e.Glob() {
			last[e.Path] = e
		}
	}
	for _, e := range c.Entries {
		l, ok := last[e.Path]
		if !ok || e.File == link || e.Glob() || e.Value == l.Value {
			continue
		}
		c.Diagnostics = append(c.Diagnostics, Diagnostic{File: e.File, Line: e.Line, Severity: SeverityWarning, Code: CodeDifference,
			Message: fmt.Sprintf("%s = %s wins under systemd-sysctl, but procps sysctl --system reads %s again last, so there %s = %s from it wins",
				e.Key, e.Value, LegacyFile, e.Key, l.Value)})
	}
}

// ResolveFiles reads the given host files in order, as `systemd-sysctl
// FILE...` does, and merges them. A file that cannot be read is an error.
func ResolveFiles(paths []string) (*Config, error) {
	c := &Config{}
	m := newMerger()
	for _, p := range paths {
		fh, err := input.Open(p)
		if err != nil {
			return nil, fmt.Errorf("sysctl config: %w", err)
		}
		f, err := Parse(input.Limit(fh, "", MaxFile), p)
		fh.Close()
		if err != nil {
			return nil, err
		}
		c.Files = append(c.Files, Source{Path: p, Masked: len(f.Entries) == 0})
		c.Diagnostics = append(c.Diagnostics, f.Diagnostics...)
		for _, e := range f.Entries {
			c.Lines = append(c.Lines, e)
			c.addDiag(m.add(e))
		}
	}
	c.finish(m)
	return c, nil
}

// Effective returns, by canonical key, the entry that sets each concrete key
// at boot: every explicit assignment, plus each of keys that a glob sets.
func (c *Config) Effective(keys []string) map[string]Entry {
	out := map[string]Entry{}
	for _, e := range c.Entries {
		if !e.Glob() {
			out[e.Key] = e
		}
	}
	for _, k := range keys {
		if e, ok := c.Lookup(k); ok {
			out[Canonical(k)] = e
		}
	}
	return out
}
