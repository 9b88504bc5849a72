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
// report per namespace: the host's first.
func tuneAll(ctx context.Context, s streams, o tuneOptions, src audit.CensusSource) error {
	if o.Diff || o.Write != "" {
		return errors.New("--all-netns: --diff and --write fix one namespace; give it with --netns")
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
	err = netns.ParallelUpTo(ctx, len(nss), maxObserved, func(i int) error {
		ns := nss[i]
		out[i] = tunedNamespace{ID: ns.ID, Name: ns.Name, Kind: ns.Kind}
		t := tuneTarget{fsys: fsys.InScope(audit.Scope{Net: netns.ThreadNet, PIDs: ns.Members()}), ns: &ns, root: root, host: host}
		rep, _, err := observe(ctx, t, src, o, nil, nil) // owners unread: listeners unnamed
		reason, err := netns.SkipReason(err)
		if err != nil {
			return err
		}
		if out[i].Skipped = reason; reason == "" {
			out[i].Report = &rep
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, n := range notes {
		fmt.Fprintf(s.err, "tcpaudit tune: %s\n", report.Escape(n))
	}
	if o.Format == "json" {
		enc := json.NewEncoder(s.out)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Namespaces []tunedNamespace `json:"namespaces"`
		}{out})
	}
	for _, n := range out {
		fmt.Fprintf(s.out, "== %s (%s, %s) ==\n", report.Escape(n.Name), n.Kind, n.ID)
		if n.Report == nil {
			fmt.Fprintf(s.out, "skipped: %s\n\n", report.Escape(n.Skipped))
			continue
		}
		if err := (report.TuneText{}).Write(s.out, *n.Report); err != nil {
			return err
		}
		fmt.Fprintln(s.out)
	}
	return nil
}

// maxObserved bounds the namespaces tune --all-netns observes at once, and
// so the threads it holds.
const maxObserved = 256
