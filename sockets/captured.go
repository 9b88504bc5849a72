package sockets

import (
	"context"
	"fmt"

	"github.com/tcpaudit/tcpaudit/netns"
)

// TakeCaptured takes the view of each namespace of a snapshot taken with
// --all-netns (snapshot.ReadCaptured) as TakeNamespaces takes them live:
// each from the files under its Root, the owners of its sockets among the
// processes captured with it. A namespace the snapshot could not capture
// is skipped with the reason it recorded.
func TakeCaptured(ctx context.Context, nss []netns.Captured, o Options) ([]Namespace, error) {
	out := make([]Namespace, len(nss))
	for i, c := range nss {
		out[i] = Namespace{Namespace: c.Namespace, Skipped: c.Skipped}
		if c.Skipped != "" {
			continue
		}
		var err error
		if out[i].View, err = Take(ctx, c.Root, o); err != nil {
			return nil, fmt.Errorf("namespace %s: %w", c.String(), err)
		}
	}
	return out, nil
}
