package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/netns"
	"github.com/tcpaudit/tcpaudit/report"
	"github.com/tcpaudit/tcpaudit/tune"
)

// tunedNamespace is the sizing of one namespace of tune --all-netns, or
// why it was skipped.
type tunedNamespace struct {
	ID      string       `json:"id"`
	Name    string       `json:"name"`
	Kind    netns.Kind   `json:"kind"`
	Skipped string       `json:"skipped,omitempty"`
	Report  *tune.Report `json:"report,omitempty"`
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
	out := make([]tunedNamespace, len(nss))
	err = observeAll(len(nss), func(i int) error {
		ns := nss[i]
		out[i] = tunedNamespace{ID: ns.ID, Name: ns.Name, Kind: ns.Kind}
		t := tuneTarget{fsys: fsys.InScope(audit.Scope{Net: netns.ThreadNet, PIDs: ns.Members()}), ns: &ns, root: root}
		var rep tune.Report
		err := t.do(func() error {
			obs := audit.NewObserver(t.fsys, src, tune.Keys())
			seen, err := obs.Run(ctx, o.readings(), o.Interval, time.Now, nil)
			if err != nil {
				return err
			}
			owners, _ := obs.ListenerOwners(seen) // unnamed listeners on an error
			rep = tune.Plan(seen, owners)
			return nil
		})
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

// observeAll calls fn for 0 ≤ i < n, up to maxObserved at a time, and
// returns their errors joined.
func observeAll(n int, fn func(i int) error) error {
	errs := make([]error, n)
	sem := make(chan struct{}, maxObserved)
	var wg sync.WaitGroup
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			errs[i] = fn(i)
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}
