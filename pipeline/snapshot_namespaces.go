package pipeline

import (
	"context"
	"fmt"

	"github.com/tcpaudit/tcpaudit/netns"
)

// RunCaptured audits the namespaces of a snapshot taken with --all-netns,
// as RunNamespaces audits them live: nss[i] from the files under roots[i]
// (the snapshot's proc root for the host's namespace, the namespace's own
// directory for the others), the host's as Run audits it, any other with
// its per-namespace keys only and no sysctl.d tree. Nothing is entered.
func RunCaptured(ctx context.Context, o Options, nss []netns.Namespace, roots []string) ([]NamespaceAudit, error) {
	if len(roots) != len(nss) {
		return nil, fmt.Errorf("%d namespaces, %d roots", len(nss), len(roots))
	}
	prepared, err := Prepare(o) // the profiles, read once
	if err != nil {
		return nil, err
	}
	out := make([]NamespaceAudit, len(nss))
	for i, ns := range nss {
		r := *prepared
		r.opts.ProcRoot = roots[i]
		out[i].Namespace = ns
		if ns.IsHost() {
			out[i].Audit, err = r.run(ctx, o.Today, nil)
		} else {
			out[i].Audit, err = r.runChild(ctx, o.Today, nil)
		}
		if err != nil {
			return nil, fmt.Errorf("namespace %s: %w", ns.String(), err)
		}
	}
	return out, nil
}
