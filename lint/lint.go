// Package lint owns the static audit of sysctl configuration files: reading
// files, directories or a whole tree the way systemd-sysctl does, and the
// checks that report lines the tools ignore or misread, keys the kernel does
// not have or removed, values it rejects, keys set in several places and
// settings that contradict a profile. Its checks have the shape of rules and
// are judged and sorted by package rules.
package lint

import (
	"fmt"

	"github.com/tcpaudit/tcpaudit/rules"
	"github.com/tcpaudit/tcpaudit/sysctlconf"
)

// Options are what a lint run checks the files against.
type Options struct {
	// Profile is the resolved profile whose rules judge the configured
	// values (lint-profile-conflict).
	Profile rules.Config
	// ProcRoot mirrors /proc: keys are looked up under its sys/. Without a
	// sys/ directory there, they are looked up in the knowledge base.
	ProcRoot string
}

// Input is what every check reads: the resolved tree and the options.
type Input struct {
	Tree    Tree
	Options Options
}

// Check is one static check of the configuration. Rule carries its ID,
// title, category, default severity and explanation; Run returns its
// findings, with locations relative to the tree's root.
type Check struct {
	Rule rules.Rule
	Run  func(in *Input) []rules.Finding
}

// Checks lists the checks in the order reports list them.
func Checks() []Check {
	return []Check{
		syntax(),
		procpsSystemdDifference(),
		unknownKey(),
		removedKey(),
		outOfBounds(),
		shadowed(),
		profileConflict(),
	}
}

// Run runs every check on t and returns a result the report package writes.
func Run(t Tree, o Options) rules.Result {
	in := &Input{Tree: t, Options: o}
	res := rules.Result{Command: "lint", Profile: o.Profile.Profile}
	for _, c := range Checks() {
		found := c.Run(in)
		res.Evaluations = append(res.Evaluations, rules.Judge(c.Rule, o.Profile.Rules[c.Rule.ID], found))
		for i := range found {
			found[i].Location.File = t.host(found[i].Location.File)
		}
		res.Findings = append(res.Findings, found...)
	}
	rules.SortFindings(res.Findings)
	unread := t.unread()
	for _, f := range t.Config.Files {
		if _, bad := unread[f.Path]; bad {
			res.Notes = append(res.Notes, "could not read "+t.host(f.Path))
		} else {
			res.Notes = append(res.Notes, "read "+t.host(f.Path))
		}
	}
	return res
}

// assignments returns every explicit (non-glob) assignment line.
func (in *Input) assignments() []sysctlconf.Entry {
	var out []sysctlconf.Entry
	for _, e := range in.Tree.Config.Lines {
		if !e.Exclude && !e.Glob() && e.Path != "" {
			out = append(out, e)
		}
	}
	return out
}

// removed reports a key the kernel no longer has: lint-removed-key reports
// it, and the other checks leave it alone.
func removed(key string) bool {
	lim, ok := sysctlconf.Known(key)
	return ok && lim.Removed != ""
}

func at(e sysctlconf.Entry) *rules.Location { return &rules.Location{File: e.File, Line: e.Line} }

func where(e sysctlconf.Entry) string { return fileLine(e.File, e.Line) }

// fileLine is FILE:LINE, or FILE for what concerns the whole file (line 0).
func fileLine(file string, line int) string {
	if line == 0 {
		return file
	}
	return fmt.Sprintf("%s:%d", file, line)
}
