package pipeline

import (
	"context"
	"fmt"

	"github.com/tcpaudit/tcpaudit/netns"
)

// RunCaptured audits the namespaces of a snapshot taken with --all-netns
// (snapshot.ReadCaptured) as RunNamespaces audits them live: each from the
// files under its Root, the host's as Run audits it, any other with its
// per-namespace keys only and no sysctl.d tree. A namespace the snapshot
// could not capture is skipped with the reason it recorded. Nothing is
// entered.
func RunCaptured(ctx context.Context, o Options, nss []netns.Captured) ([]NamespaceAudit, error) {
	prepared, err := Prepare(o) // the profiles, read once
	if err != nil {
		return nil, err
	}
	out := make([]NamespaceAudit, len(nss))
	for i, c := range nss {
		out[i] = NamespaceAudit{Namespace: c.Namespace, Skipped: c.Skipped}
		if c.Skipped != "" {
			continue
		}
		r := *prepared
		r.opts.ProcRoot = c.Root
		if c.IsHost() {
			out[i].Audit, err = r.run(ctx, o.Today, nil)
		} else {
			out[i].Audit, err = r.runChild(ctx, o.Today, nil, nil) // global keys: with the host's
		}
		if err != nil {
			return nil, fmt.Errorf("namespace %s: %w", c.String(), err)
		}
	}
	return out, nil
}
