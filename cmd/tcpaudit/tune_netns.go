package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/netns"
	"github.com/tcpaudit/tcpaudit/report"
	"github.com/tcpaudit/tcpaudit/tune"
)

// tunedNamespace is the sizing of one namespace of tune --all-netns, or
// why it was skipped. Both fields are always written, so that a consumer
// need not test for them: Skipped is "" and Report set when the namespace
// was observed; Report is null when it was skipped.
type tunedNamespace struct {
	ID      string       `json:"id"`
	Name    string       `json:"name"`
	Kind    netns.Kind   `json:"kind"`
	Skipped string       `json:"skipped"`
	Report  *tune.Report `json:"report"`
}

// tuneAll observes every namespace of the live host in the same window
// (up to maxObserved at once, each from a thread inside it: the
// observation is mostly waiting between readings), and prints one sizing
// report per namespace, the host's first; with --diff, one fix per
// namespace instead: the host's a diff against its sysctl.d tree (global
// keys included: they are the host's), any other's in the form its owner
// keeps it, as fix --netns prints it.
func tuneAll(ctx context.Context, s streams, o tuneOptions, src audit.CensusSource) error {
	if o.Write != "" {
		return errors.New("--all-netns: --write writes the drop-in of one namespace; give it with --netns (--diff shows every namespace's fix)")
	}
	nss, notes, root, err := netnsOptions{AllNetns: true}.namespaces(o.ProcRoot)
	if err != nil {
		return err
	}
	fsys, err := audit.NewFS(root)
	if err != nil {
		return err
	}
	host, err := hostGlobals(fsys)
	if err != nil {
		return err
	}
	out := make([]tunedNamespace, len(nss))
	targets := make([]tuneTarget, len(nss))
	facts := make([]*audit.Facts, len(nss))
	err = netns.ParallelUpTo(ctx, len(nss), maxObserved, func(i int) error {
		ns := nss[i]
		out[i] = tunedNamespace{ID: ns.ID, Name: ns.Name, Kind: ns.Kind}
		targets[i] = tuneTarget{fsys: fsys.InScope(audit.Scope{Net: netns.ThreadNet, PIDs: ns.Members()}), ns: &ns, root: root, host: host}
		rep, f, err := observe(ctx, targets[i], src, o, nil, nil) // owners unread: listeners unnamed
		reason, err := netns.SkipReason(err)
		if err != nil {
			return err
		}
		if out[i].Skipped = reason; reason == "" {
			out[i].Report, facts[i] = &rep, f
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, n := range notes {
		fmt.Fprintf(s.err, "tcpaudit tune: %s\n", report.Escape(n))
	}
	switch {
	case o.Diff:
		return writeAllFixes(s, o, out, targets, facts)
	case o.Format == "json":
		enc := json.NewEncoder(s.out)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Namespaces []tunedNamespace `json:"namespaces"`
		}{out})
	}
	return writeAll(s, out, targets, func(n tunedNamespace) error { return (report.TuneText{}).Write(s.out, *n.Report) })
}

// writeAllFixes writes the fix of each namespace observed that has one,
// under its heading, as writeTuneFix writes the fix of one; why a guest
// namespace's fix is in its owner's form is said once, and the namespaces
// with no change are named together at the end.
func writeAllFixes(s streams, o tuneOptions, out []tunedNamespace, targets []tuneTarget, facts []*audit.Facts) error {
	fo := fixOptions{Root: o.Root, Diff: o.Diff}
	var unchanged []string
	said := false
	for i, n := range out {
		ns := *targets[i].ns
		if n.Report == nil {
			writeSkipped(s, ns, n)
			continue
		}
		fx, err := planTuneFix(facts[i], *n.Report, o, targets[i])
		if err != nil {
			return err
		}
		if len(fx.Changes) == 0 && len(fx.Notes) == 0 {
			unchanged = append(unchanged, report.Escape(ns.String()))
			continue
		}
		fmt.Fprintln(s.out, report.NamespaceHeading(ns))
		cmd := "tcpaudit tune: " + report.Escape(ns.String())
		if fx.Guest == "" {
			err = emitFix(s, fx, cmd, "no key needs a change", fo)
		} else {
			if !said {
				fmt.Fprint(s.err, guestsNotHost)
				said = true
			}
			err = guestSettings(s, fx, fo, cmd, "no key needs a change")
		}
		if err != nil {
			return err
		}
		fmt.Fprintln(s.out)
	}
	if len(unchanged) > 0 {
		fmt.Fprintf(s.err, "tcpaudit tune: no key needs a change in %d of the network namespaces: %s\n", len(unchanged), report.SomeOf(unchanged, 4))
	}
	return nil
}

// guestsNotHost says, once for tune --all-netns --diff, why the fixes of
// the namespaces that are not the host's come in their owners' forms.
const guestsNotHost = "tcpaudit tune: the fixes below for namespaces other than the host's come in the form\n" +
	"  each namespace's owner keeps its settings: a drop-in under /etc/sysctl.d would change\n" +
	"  the host at its next boot, not them.\n"

// writeAll writes each namespace's heading, then what write writes of it,
// or why it was skipped.
func writeAll(s streams, out []tunedNamespace, targets []tuneTarget, write func(tunedNamespace) error) error {
	for i, n := range out {
		if n.Report == nil {
			writeSkipped(s, *targets[i].ns, n)
			continue
		}
		fmt.Fprintln(s.out, report.NamespaceHeading(*targets[i].ns))
		if err := write(n); err != nil {
			return err
		}
		fmt.Fprintln(s.out)
	}
	return nil
}

// writeSkipped writes the section of a namespace that was not observed:
// its heading and why.
func writeSkipped(s streams, ns netns.Namespace, n tunedNamespace) {
	fmt.Fprintf(s.out, "%s\nskipped: %s\n\n", report.NamespaceHeading(ns), report.Escape(n.Skipped))
}

// maxObserved bounds the namespaces tune --all-netns observes at once, and
// so the threads it holds.
const maxObserved = 256
