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
	return writeAll(s, out, func(n tunedNamespace, _ int) error { return (report.TuneText{}).Write(s.out, *n.Report) })
}

// writeAllFixes writes the fix of each namespace observed, under its
// heading: as writeTuneFix writes the fix of one.
func writeAllFixes(s streams, o tuneOptions, out []tunedNamespace, targets []tuneTarget, facts []*audit.Facts) error {
	return writeAll(s, out, func(n tunedNamespace, i int) error {
		return writeTuneFix(s, facts[i], *n.Report, o, targets[i])
	})
}

// writeAll writes each namespace's heading, then what write writes of it,
// or why it was skipped.
func writeAll(s streams, out []tunedNamespace, write func(tunedNamespace, int) error) error {
	for i, n := range out {
		fmt.Fprintf(s.out, "== %s (%s, %s) ==\n", report.Escape(n.Name), n.Kind, n.ID)
		if n.Report == nil {
			fmt.Fprintf(s.out, "skipped: %s\n\n", report.Escape(n.Skipped))
			continue
		}
		if err := write(n, i); err != nil {
			return err
		}
		fmt.Fprintln(s.out)
	}
	return nil
}

// maxObserved bounds the namespaces tune --all-netns observes at once, and
// so the threads it holds.
const maxObserved = 256
